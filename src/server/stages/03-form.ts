// Stage 3: a form. GET / now asks for a name; the form posts it to /setName,
// which does not exist yet, so submitting it gives 404.
import express from 'express';
import session from 'express-session';
import { formPage } from '../pages.js';
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
    res.send(formPage());
  });

  return app;
}
