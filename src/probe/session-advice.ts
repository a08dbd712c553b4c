import { cookieHeaderPairs, type LineVerdict, type StoredCookie } from './cookie-rules.js';
import { readPayload, splitSignedId } from './cookies.js';

/** A session problem seen in the traffic, with what to do about it. */
export interface Advice {
  kind:
    | 'no-httponly'
    | 'readable-data'
    | 'samesite-none-unneeded'
    | 'logout-mismatch'
    | 'duplicate-name'
    | 'cors-credentials'
    | 'cross-origin-post-accepted'
    | 'sign-in-without-cookie'
    | 'fixation';
  sentence: string;
  fix: string;
}

/** What advice reads from one exchange (the proxy's Exchange has these and more). */
export interface AdvisedExchange {
  url: string;
  method: string;
  fetch: { site: string };
  cookieHeader?: string;
  status?: number;
  setCookies: LineVerdict[];
  jar: StoredCookie[];
  cors?: { allowOrigin?: string; allowCredentials?: string; origin?: string };
}

// the usual session cookie names: express-session, Flask, Django, PHP, Rails, Laravel, Java
const sessionName = /sess|sid|^session|phpsessid|jsessionid/i;
// paths that sign someone in: where a new session ID belongs (OWASP Session Management Cheat Sheet)
const signInPath = /log-?in|sign-?in|auth|session/i;

function looksLikeSession(cookie: { name: string; value: string }): boolean {
  return sessionName.test(cookie.name) || splitSignedId(cookie.value) !== undefined;
}

// an app sends the same cookie value on many answers: each value is read once
const readValues = new Map<string, boolean>();

function readable(value: string): boolean {
  let found = readValues.get(value);
  if (found === undefined) {
    found = readPayload(value) !== undefined;
    if (readValues.size >= 1000) readValues.clear();
    readValues.set(value, found);
  }
  return found;
}

/** Session advice for one exchange, given the exchanges before it. */
export function adviseOnExchange(
  exchange: AdvisedExchange,
  earlier: readonly AdvisedExchange[],
): Advice[] {
  const advice: Advice[] = [];
  for (const verdict of exchange.setCookies) {
    const cookie = verdict.cookie;
    if (!cookie || verdict.changes.includes('Deletes')) continue;
    if (looksLikeSession(cookie) && !cookie.httpOnly) {
      advice.push({
        kind: 'no-httponly',
        sentence: `${cookie.name} looks like a session cookie, and page scripts can read it (no HttpOnly).`,
        fix: 'cookie: { httpOnly: true } (the default in express-session, Flask and Django).',
      });
    }
    if (readable(cookie.value)) {
      advice.push({
        kind: 'readable-data',
        sentence: `${cookie.name} carries data anyone holding it can read.`,
        fix: 'Keep the data on the server and send only a session ID (lesson 4).',
      });
    }
    if (cookie.sameSite === 'none' && exchange.fetch.site !== 'cross-site') {
      advice.push({
        kind: 'samesite-none-unneeded',
        sentence: `${cookie.name} is SameSite=None, yet it was set on a same-site request: other sites' requests will carry it too.`,
        fix: "Unless another site must send it, cookie: { sameSite: 'lax' }.",
      });
    }
  }
  for (const verdict of exchange.setCookies) {
    if (!verdict.changes.includes('Deletes') || !verdict.cookie) continue;
    const deleting = verdict.cookie;
    const survivors = exchange.jar.filter((c) => c.name === deleting.name);
    if (survivors.length > 0) {
      advice.push({
        kind: 'logout-mismatch',
        sentence: `This deletes ${deleting.name} at Path=${deleting.path} on ${deleting.domain}, but the one stored at Path=${survivors[0].path} on ${survivors[0].domain} stays and is still sent.`,
        fix: 'Delete with the Path and Domain it was set with: res.clearCookie(name, { path, domain }).',
      });
    }
  }
  const names = exchange.jar.map((c) => c.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    advice.push({
      kind: 'duplicate-name',
      sentence: `Two cookies are called ${name} (on different paths or domains); where both match, the browser sends both, and a server reads only one of them.`,
      fix: 'Set it with one Path and Domain everywhere.',
    });
  }
  const cors = exchange.cors;
  if (cors?.allowCredentials === 'true' && cors.allowOrigin === '*') {
    advice.push({
      kind: 'cors-credentials',
      sentence:
        'Access-Control-Allow-Origin: * with credentials: browsers refuse the answer to a credentialed request.',
      fix: "Answer with the caller's exact origin: cors({ origin: 'https://app.example', credentials: true }).",
    });
  } else if (
    cors?.origin &&
    cors.allowOrigin &&
    cors.allowOrigin !== '*' &&
    exchange.cookieHeader &&
    cors.allowCredentials !== 'true'
  ) {
    advice.push({
      kind: 'cors-credentials',
      sentence:
        'The request carried cookies from another origin, and the answer lacks Access-Control-Allow-Credentials: true, so the page cannot read it.',
      fix: "cors({ origin, credentials: true }) on the server, and credentials: 'include' in fetch.",
    });
  }
  const ok = exchange.status !== undefined && exchange.status < 400;
  const elsewhere = exchange.fetch.site === 'cross-site' || exchange.fetch.site === 'same-site';
  if (exchange.method === 'POST' && elsewhere && ok) {
    advice.push({
      kind: 'cross-origin-post-accepted',
      sentence:
        exchange.fetch.site === 'cross-site'
          ? 'The app accepted a POST from another site: a forged form would be accepted too.'
          : 'The app accepted a POST from another origin of the same site, which SameSite lets through with its cookies: a forged form would be accepted too.',
      fix: 'Check a CSRF token or the Origin header on every state-changing request (lesson 12).',
    });
  }
  const sessionSent = cookieHeaderPairs(exchange.cookieHeader).filter(looksLikeSession);
  if (
    exchange.method === 'POST' &&
    ok &&
    exchange.setCookies.length === 0 &&
    sessionSent.length === 0
  ) {
    const first = earlier.every((e) => e.setCookies.length === 0);
    if (first) {
      advice.push({
        kind: 'sign-in-without-cookie',
        sentence:
          'This POST was answered with no Set-Cookie and the browser holds no session: nothing will remember it.',
        fix: "If the session cookie is Secure behind a TLS-terminating proxy, app.set('trust proxy', 1); otherwise save the session before answering (saveUninitialized, or set a value).",
      });
    }
  }
  if (exchange.method === 'POST' && ok && signInPath.test(new URL(exchange.url).pathname)) {
    for (const sent of sessionSent) {
      const renewed = exchange.setCookies.some(
        (v) => v.cookie?.name === sent.name && v.cookie.value !== sent.value,
      );
      if (!renewed) {
        advice.push({
          kind: 'fixation',
          sentence: `${sent.name} kept the same value across this sign-in: whoever planted it before knows the signed-in session (fixation).`,
          fix: 'req.session.regenerate() at sign-in (Flask: session.clear(); Django rotates by itself in login()).',
        });
      }
    }
  }
  return advice;
}
