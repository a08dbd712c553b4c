import express from 'express';
import session from 'express-session';
import { nameFromForm, refuseBrokenEncoding } from '../name.js';
import { escapeHtml, formPage, page, problemPage } from '../pages.js';
import { whatTheServerSees } from '../panel.js';
import type { StageOptions } from '../stage.js';

export function createApp({ secret, store }: StageOptions) {
  const app = express();

  app.use(
    session({
      secret, // signs the session ID in the cookie (HMAC): proves, does not hide
      store, // where the session data lives: on the server, never in the cookie
      resave: false, // don't save a session that did not change
      saveUninitialized: false, // no cookie until something is stored
    }),
  );
  // forms of at most 1 KB with valid %-escapes; anything else gets a 4xx page
  app.use(express.urlencoded({ extended: false, limit: '1kb', verify: refuseBrokenEncoding }));
  app.use(whatTheServerSees); // for learning: a panel of what the server saw

  app.get('/', (req, res) => {
    const name = req.session.myName;
    if (name === undefined) {
      res.send(formPage());
      return;
    }
    // escape the visitor's name (page() escapes the title too), or <script> would run
    res.send(page(`Hello, ${name}`, `<h1>${escapeHtml(name)}</h1>`));
  });

  app.post('/setName', (req, res, next) => {
    const form = nameFromForm(req);
    if (!form.ok) {
      res.status(form.status).send(problemPage(form.status, form.problem));
      return;
    }
    req.session.myName = form.name;
    // save before redirecting, so the next request is sure to find the name
    req.session.save((err) => {
      if (err) return next(err);
      res.redirect('/');
    });
  });

  return app;
}
