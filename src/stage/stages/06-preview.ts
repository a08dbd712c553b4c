import express from 'express';
import session from 'express-session';
import { loopbackCountsAsSecure } from '../loopback.js';
import { nameFromForm, refuseBrokenEncoding } from '../name.js';
import { embeddedPage, escapeHtml, formPage, page, problemPage } from '../pages.js';
import { whatTheServerSees } from '../panel.js';
import { sameSessions } from '../same-sessions.js';
import type { StageOptions } from '../stage.js';

export function createApp({ secret, store }: StageOptions) {
  const app = express();

  // The fix for an app inside another site's frame, under /partitioned/
  app.use(
    '/partitioned/',
    loopbackCountsAsSecure, // a demo on this machine: see loopback.ts
    session({
      name: 'partitioned.sid',
      secret,
      store: store && sameSessions(store), // the same sessions (same-sessions.ts)
      resave: false,
      saveUninitialized: false,
      cookie: {
        path: '/partitioned/', // sent to this copy of the app only
        sameSite: 'none', // may be set and sent inside another site's frame...
        secure: true, // ...which browsers allow only for a Secure cookie
        partitioned: true, // CHIPS: kept apart for each site that frames it
      },
    }),
  );
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

  app.get(['/', '/partitioned/'], (req, res) => {
    const name = req.session.myName;
    if (name === undefined) {
      res.send(formPage());
      return;
    }
    // escape the visitor's name (page() escapes the title too), or <script> would run
    res.send(page(`Hello, ${name}`, `<h1>${escapeHtml(name)}</h1>`));
  });

  app.post(['/setName', '/partitioned/setName'], (req, res, next) => {
    const form = nameFromForm(req);
    if (!form.ok) {
      res.status(form.status).send(problemPage(form.status, form.problem));
      return;
    }
    req.session.myName = form.name;
    // save before redirecting, so the next request is sure to find the name
    req.session.save((err) => {
      if (err) return next(err);
      res.redirect('./'); // back where the form was: / or /partitioned/
    });
  });

  app.get('/embedded', (req, res) => {
    // localhost and 127.0.0.1 are different sites: each frame is a third party
    const otherHost = req.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const framed = `http://${otherHost}:${req.socket.localPort}/`;
    res.send(embeddedPage(framed, `${framed}partitioned/`));
  });

  return app;
}
