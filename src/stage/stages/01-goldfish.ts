import express from 'express';

export function createApp() {
  const app = express();

  app.get('/', (_req, res) => {
    res.send('Hello from Express!\n<meta name="viewport" content="width=device-width">');
  });

  return app;
}
