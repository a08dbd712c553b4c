// Stage 1: the goldfish. This server keeps nothing between requests,
// and nothing in a request says who sent it, so every visit looks like the first.
import express from 'express';

export function createApp() {
  const app = express();

  app.get('/', (_req, res) => {
    res.send('Hello from Express!');
  });

  return app;
}
