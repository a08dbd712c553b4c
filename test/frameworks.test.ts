import { describe, expect, it } from 'vitest';
import { type ReportCard, runReportCard } from '../src/course/check.js';
import { probeServer } from '../src/probe/probe.js';
import { startExpressCookieSession } from './fixtures/frameworks/express-cookie-session.js';
import { startFastifySession } from './fixtures/frameworks/fastify-session.js';
import { startProgram } from './fixtures/frameworks/programs.js';
import type { FixtureServer } from './fixtures/servers.js';
import { runCli } from './helpers.js';

/** The card in one string, lesson by lesson: P passed, F failed, - not applicable. */
const marks = (card: ReportCard) =>
  card.lines.map((l) => (l.status === 'passed' ? 'P' : l.status === 'failed' ? 'F' : '-')).join('');

/** Every failed expectation, as "lesson: title" → its outcome. */
const failures = (card: ReportCard) =>
  Object.fromEntries(
    card.lines.flatMap((l) =>
      (l.report?.results ?? [])
        .filter((r) => !r.passed)
        .map((r) => [`${l.lesson.number}: ${r.title}`, r.verdict?.outcome ?? r.problem]),
    ),
  );

const hintOf = (card: ReportCard, lesson: number) =>
  card.lines[lesson - 1].report?.results.find((r) => !r.passed)?.hint;

// what lesson 6 finds on every framework here: no default session cookie is written for another
// site's frame (SameSite=None; Secure; Partitioned); Flask, for one, has no setting for
// Partitioned (github.com/pallets/flask/issues/5472)
const notForFrames = {
  '6: GET /embedded frames the app from another site with a partitioned cookie':
    'no frame gets a partitioned cookie',
};

// what lesson 12 finds on a framework with no CSRF defence of its own
const noCsrfDefence = {
  '12: a forged POST without the token changes nothing': 'renamed Mallory',
  '12: a POST from another origin is refused, token or not': 'renamed Mallory',
};

/**
 * A session kept in a signed cookie, with its framework's defaults, as Flask's (docs "Sessions":
 * "stored client-side in a signed cookie") and cookie-session's (its README: the data in
 * `session`, signed into `session.sig`) are:
 * - lesson 4: the name travels in the cookie, readable;
 * - lesson 6: the cookie is not made for another site's frame;
 * - lesson 7: no expiry unless asked (Flask: only when session.permanent is set; cookie-session:
 *   no maxAge by default), so the cookie lasts until the browser closes;
 * - lesson 8: logout (session.clear(), req.session = null) empties the browser's cookie, but a
 *   copy still verifies (Flask: until PERMANENT_SESSION_LIFETIME, 31 days, has passed);
 * - lesson 11: HttpOnly by default, no SameSite (Flask's SESSION_COOKIE_SAMESITE defaults to
 *   None; cookie-session sets sameSite only when given);
 * - lesson 12: neither has a CSRF defence of its own.
 */
const signedCookieSession = {
  ...notForFrames,
  '4: POST /setName sets a cookie that carries a session ID, not the name':
    'a cookie carrying the name',
  '7: the session cookie has an expiry date, so the session has a lifetime':
    'until the browser closes',
  '8: after logout, a copy of the old cookie is forgotten too': 'remembered',
  '11: the session cookie is HttpOnly and SameSite=Lax (or Strict)': 'HttpOnly, no SameSite',
  ...noCsrfDefence,
};

async function withApp<T>(start: () => Promise<FixtureServer>, use: (url: string) => Promise<T>) {
  const app = await start();
  try {
    return await use(app.url);
  } finally {
    await app.close();
  }
}

// Small apps written with each framework's documented defaults (test/fixtures/frameworks/), each
// judged by check --all exactly. Lessons 9 and 10 cannot be seen over HTTP. Lesson 12's checks
// ask a server to refuse a forged form without the token, and a form from another origin even with it.
describe('check --all on real frameworks, in their default settings', () => {
  it('Django 3.2 (Debian), CSRF middleware on: lessons 1–5, 7 and 8 pass; a planted ID is kept; the token alone guards', async () => {
    const card = await withApp(
      () => startProgram('django'),
      (url) => runReportCard(url),
    );
    expect(marks(card)).toBe('PPPPPFPP--FF');
    expect(failures(card)).toEqual({
      ...notForFrames,
      // request.session keeps its key when data is stored: only django.contrib.auth's login()
      // calls cycle_key() (docs: "Session fixation", contrib/auth/__init__.py login())
      '11: signing in gives a new session ID, so an ID planted beforehand leads nowhere':
        "sees Ada's session",
      // Django checks the Origin header only from 4.0 on (ticket #16010); 3.2 over http checks
      // the token alone, so a form from another origin that holds a valid token is accepted
      '12: a POST from another origin is refused, token or not': 'renamed Mallory',
    });
    // csrftoken, set with the form, is no session cookie (lesson 2 passed beside it)
    // lesson 4 shows the session's own cookie, found by experiment, as what the browser got
    expect(card.lines[3].report?.results[1].verdict?.evidence).toMatch(
      /^Set-Cookie: sessionid=\w+$/,
    );
    const lesson2 = card.lines[1].report?.results[0].verdict?.evidence;
    expect(lesson2).toMatch(
      /^Set-Cookie: csrftoken, a CSRF cookie: without it the sign-in form is refused \(403\)\. The session's cookie, sessionid, came only with the name$/,
    );
  });

  it('Django: probe submits the form with its token and finds the browser remembered', async () => {
    const report = await withApp(
      () => startProgram('django'),
      (url) => probeServer({ url, post: '/setName', fields: {} }),
    );
    expect(report.visits.map((v) => v.verdict?.outcome)).toEqual(['forgotten', 'remembered']);
    expect(report.visits[1].hops[1].form).toHaveProperty('csrfmiddlewaretoken');
    // each cookie named for what the experiment proved, not for how it looks (both are opaque):
    // the form sent without csrftoken is refused (CsrfViewMiddleware, "CSRF cookie not set"),
    // the page without sessionid forgets the name
    const role = (name: string) => report.cookies.find((c) => c.name === name)?.summary;
    expect(role('csrftoken')).toBe(
      'a CSRF cookie: without it the sign-in form is refused (403); the name is remembered without it, so it holds no session (sessionid does)',
    );
    expect(role('sessionid')).toBe(
      "the session's cookie: without it the server forgets the name. It did not grow with a name 200 characters longer: the data stays on the server, the cookie only says which session is yours",
    );
  });

  it('Flask 2.2 (Debian): the data travels in a signed cookie, which outlives logout', async () => {
    const card = await withApp(
      () => startProgram('flask'),
      (url) => runReportCard(url),
    );
    expect(marks(card)).toBe('PPPFPFFF--FF');
    expect(failures(card)).toEqual(signedCookieSession);
    // the copy holds the name itself: logout has nothing on the server to delete
    expect(card.lines[7].report?.results[1].hint).toMatch(
      /^The copy carries the session itself \(session holds Ada-\w+\), so the server has nothing to delete/,
    );
    // Flask-Session 0.7.0 deprecated its filesystem type for cachelib (changelog)
    expect(hintOf(card, 4)).toContain(
      'the shape itsdangerous signs, which keeps the data in the cookie, as Flask\'s default session does. With Flask, Flask-Session with SESSION_TYPE set to "redis" or "cachelib"',
    );
  });

  it('PHP 8.2 native sessions (php -S): a cookie at once, kept IDs, no flags', async () => {
    const card = await withApp(
      () => startProgram('php'),
      (url) => runReportCard(url),
    );
    expect(marks(card)).toBe('PFPPPFFP--FF');
    expect(failures(card)).toEqual({
      ...notForFrames,
      // session_start() sends PHPSESSID before anything is stored (session.use_cookies=1)
      '2: GET / answers without a session cookie while nothing is stored': 'sent a cookie',
      // session.cookie_lifetime=0: "until the browser is closed" (PHP manual, session.configuration)
      '7: the session cookie has an expiry date, so the session has a lifetime':
        'until the browser closes',
      // session.cookie_httponly=0 and session.cookie_samesite="" by default
      '11: the session cookie is HttpOnly and SameSite=Lax (or Strict)':
        'readable by page scripts, no SameSite',
      // the ID that came with the request is kept; session_regenerate_id() is the app's to call
      // ("Session Management Basics": session fixation)
      '11: signing in gives a new session ID, so an ID planted beforehand leads nowhere':
        "sees Ada's session",
      ...noCsrfDefence,
    });
  });

  it('Fastify with @fastify/session defaults: a Secure cookie, withheld over http, and the hint says so', async () => {
    const card = await withApp(
      () => startFastifySession(),
      (url) => runReportCard(url),
    );
    // index.js (11.1.3): `opts.cookie.secure = option(opts.cookie, 'secure', true)`, and a
    // request that is not https gets no cookie ("isInsecureConnection"); README: "For all
    // unencrypted (HTTP) connections, you need to set the secure cookie option to false".
    // No lesson past 1 and 3 passes by a cookie never sent: lesson 2 sees none even with the
    // name stored, and lessons 5 and 6 see a browser that keeps cookies forgotten as well.
    expect(marks(card)).toBe('PFPFFFFF--FF');
    const noCookie = {
      '2: GET / answers without a session cookie while nothing is stored':
        'no session cookie at all',
      '4: POST /setName sets a cookie that carries a session ID, not the name': 'no cookie',
      '5: a browser that sends the cookie back is greeted by its name': 'forgotten',
      '5: a visitor that keeps no cookies is not greeted by the name it gave': 'everyone forgotten',
      '5: two browsers at once each get their own name back': 'forgotten',
      '5: a name with HTML in it is shown as text, escaped': 'not shown',
      '6: a framed copy that takes the cookie but never returns it is forgotten':
        'everyone forgotten',
      ...notForFrames,
      '7: the session cookie has an expiry date, so the session has a lifetime': 'no cookie',
      '8: after POST /logout, the browser is a stranger again': 'never remembered',
      '8: after logout, a copy of the old cookie is forgotten too': 'never remembered',
      '11: the session cookie is HttpOnly and SameSite=Lax (or Strict)': 'no cookie',
      '11: signing in gives a new session ID, so an ID planted beforehand leads nowhere':
        'Ada was not signed in',
      '12: a forged POST without the token changes nothing': 'Ada was never signed in',
      '12: a POST from another origin is refused, token or not': 'Ada was never signed in',
      '12: the server’s own forms work: sign in, log out': 'signing in failed',
    };
    expect(failures(card)).toEqual(noCookie);
    // every failure names the missing cookie as its cause, not the lesson's own idea
    const hints = card.lines.flatMap((l) =>
      (l.report?.results ?? []).filter((r) => !r.passed).map((r) => r.hint),
    );
    expect(hints).toHaveLength(Object.keys(noCookie).length);
    for (const hint of hints) {
      expect(hint).toMatch(/^POST \/setName sent no Set-Cookie, so the browser had nothing/);
      expect(hint).toContain(
        '@fastify/session is Secure by default (cookie: { secure: false } or "auto" for http)',
      );
    }
  });

  it('Fastify with @fastify/session defaults: probe exits 1 and names the withheld Secure cookie', async () => {
    const run = await withApp(
      () => startFastifySession(),
      (url) => runCli(['probe', url]),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('The server set no cookies.');
    // the hint wraps at words to the terminal's width
    expect(run.stdout.replace(/\s+/g, ' ')).toContain(
      '@fastify/session is Secure by default (cookie: { secure: false } or "auto" for http)',
    );
  });

  it('Fastify with @fastify/session, secure: false: a cookie for every visitor, no lifetime, no SameSite', async () => {
    const card = await withApp(
      () => startFastifySession({ secure: false }),
      (url) => runReportCard(url),
    );
    expect(marks(card)).toBe('PFPPPFFP--FF');
    expect(failures(card)).toEqual({
      ...notForFrames,
      // saveUninitialized defaults to true (index.js)
      '2: GET / answers without a session cookie while nothing is stored': 'sent a cookie',
      // no maxAge or expires unless given (lib/cookie.js)
      '7: the session cookie has an expiry date, so the session has a lifetime':
        'until the browser closes',
      // httpOnly defaults to true; no sameSite unless given (lib/cookie.js)
      '11: the session cookie is HttpOnly and SameSite=Lax (or Strict)': 'HttpOnly, no SameSite',
      // the session keeps its ID unless the app calls session.regenerate() (README)
      '11: signing in gives a new session ID, so an ID planted beforehand leads nowhere':
        "sees Ada's session",
      ...noCsrfDefence,
    });
  });

  it('Express with cookie-session: the data in session + session.sig, and no framework named by that shape', async () => {
    const card = await withApp(
      () => startExpressCookieSession(),
      (url) => runReportCard(url),
    );
    expect(marks(card)).toBe('PPPFPFFF--FF');
    expect(failures(card)).toEqual(signedCookieSession);
    // the copy holds the name itself: logout has nothing on the server to delete
    expect(card.lines[7].report?.results[1].hint).toMatch(
      /^The copy carries the session itself \(session holds Ada-\w+\), so the server has nothing to delete/,
    );
    // koa-session writes the same X + X.sig pair, so the hint names neither
    expect(hintOf(card, 4)).not.toContain('cookie-session');
  });
});
