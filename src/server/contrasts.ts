// Apps the demos hold up against the stages: what the stages do differently, and why.
import cookieSession from 'cookie-session';
import express from 'express';
import session, { type Store } from 'express-session';
import { nameFromForm } from '../stage/name.js';
import { escapeHtml, formPage, page, problemPage } from '../stage/pages.js';

/**
 * Lesson 8's contrast: a client-side session (cookie-session). The data itself travels in the
 * signed cookie; the server keeps nothing, so it has nothing to destroy at logout.
 */
export function clientSideSessionApp(secret: string) {
  const app = express();
  app.use(cookieSession({ name: 'session', keys: [secret] }));
  app.use(express.urlencoded({ extended: false, limit: '1kb' }));
  app.get('/', (req, res) => {
    const name = req.session?.myName;
    res.send(
      name === undefined ? formPage() : page(`Hello, ${name}`, `<h1>${escapeHtml(name)}</h1>`),
    );
  });
  app.post('/setName', (req, res) => {
    const form = nameFromForm(req);
    if (!form.ok) {
      res.status(form.status).send(problemPage(form.status, form.problem));
      return;
    }
    req.session.myName = form.name;
    res.redirect('/');
  });
  app.post('/logout', (req, res) => {
    // cookie-session's logout sends an emptied cookie, all a client-side session can do
    // (the cast: express-session's typing of req.session does not allow null)
    (req as unknown as { session: null }).session = null;
    res.redirect('/');
  });
  return app;
}

/** Lesson 11's contrast: stage 5 as a quick f-string would write it, the name put into the HTML raw. */
export function rawGreetingApp(secret: string, store: Store) {
  const app = express();
  app.use(session({ secret, store, resave: false, saveUninitialized: false }));
  app.use(express.urlencoded({ extended: false, limit: '1kb' }));
  app.get('/', (req, res) => {
    const name = req.session.myName;
    res.send(name === undefined ? formPage() : page(`Hello, ${name}`, `<h1>${name}</h1>`));
  });
  app.post('/setName', (req, res, next) => {
    const form = nameFromForm(req);
    if (!form.ok) {
      res.status(form.status).send(problemPage(form.status, form.problem));
      return;
    }
    req.session.myName = form.name;
    req.session.save((err) => (err ? next(err) : res.redirect('/')));
  });
  return app;
}
