import express from 'express';
import session from 'express-session';
import { loopbackCountsAsSecure } from '../loopback.js';
import { nameFromForm, refuseBrokenEncoding } from '../name.js';
import { embeddedPage, escapeHtml, formPage, page, problemPage } from '../pages.js';
import { whatTheServerSees } from '../panel.js';
import { sameSessions } from '../same-sessions.js';
import type { StageOptions } from '../stage.js';

// when this server process started: a session older than this survived a restart
const serverStarted = new Date();

export function createApp({ secret, store, maxAge = 30 * 60 * 1000 }: StageOptions) {
  const app = express();
  // behind a proxy, believe its X-Forwarded-* headers, but only from this machine
  app.set('trust proxy', 'loopback');
  // say which process answered, to watch a proxy share requests between them
  app.use((_req, res, next) => {
    res.set('X-Served-By', `process ${process.pid}`);
    next();
  });

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
      store, // where sessions live: memory, SQLite or Redis (--store chooses)
      resave: false, // don't save a session that did not change
      saveUninitialized: false, // no cookie until something is stored
      cookie: { maxAge }, // expires maxAge ms (30 min) after the last visit
      rolling: true, // each response sends the cookie again: the clock restarts
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
    res.send(
      page(
        `Hello, ${name}`,
        `<h1>${escapeHtml(name)}</h1>
<p>Your session began at ${req.session.since ?? 'an earlier stage'}; this server started at ${serverStarted.toISOString()}.</p>
<form method="post" action="logout"><button type="submit">Forget me</button></form>`,
      ),
    );
  });

  app.post(['/setName', '/partitioned/setName'], (req, res, next) => {
    const form = nameFromForm(req);
    if (!form.ok) {
      res.status(form.status).send(problemPage(form.status, form.problem));
      return;
    }
    req.session.myName = form.name;
    req.session.since = new Date().toISOString();
    // save before redirecting, so the next request is sure to find the name
    req.session.save((err) => {
      if (err) return next(err);
      res.redirect('./'); // back where the form was: / or /partitioned/
    });
  });

  app.post(['/logout', '/partitioned/logout'], (req, res, next) => {
    // the browser drops only the cookie named with its own path and attributes
    const partitioned = req.path.startsWith('/partitioned/');
    const name = partitioned ? 'partitioned.sid' : 'connect.sid';
    const { path, httpOnly, sameSite, secure } = req.session.cookie;
    // destroy deletes it from the store: a copy of the old cookie finds nothing
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(name, { path, httpOnly, sameSite, secure: secure === true, partitioned });
      res.redirect('./'); // back where the button was: / or /partitioned/
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
