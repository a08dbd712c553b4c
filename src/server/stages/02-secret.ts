// Stage 2: sessions need a secret. express-session gives each visitor a session
// on the server and signs the cookie that carries its ID.
import express from 'express';
import session from 'express-session';
import type { StageOptions } from '../stage.js';

export function createApp({ secret, store }: StageOptions) {
  const app = express();

  app.use(
    session({
      secret, // signs the session ID in the cookie (HMAC): it proves, it does not hide
      store, // where the session data lives: on the server, never in the cookie
      resave: false, // don't save a session that did not change
      saveUninitialized: false, // no session, and no cookie, until something is stored
    }),
  );

  app.get('/', (_req, res) => {
    res.send('Hello from Express!');
  });

  return app;
}
