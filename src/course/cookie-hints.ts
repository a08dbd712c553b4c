import { explainCookie } from '../probe/cookies.js';
import type { Hop } from '../probe/hop.js';

/**
 * Why a browser did not send a cookie back to GET /, read from the Set-Cookie lines it got:
 * a sharper hint than "not remembered" when the cookie itself is the mistake. Each says the
 * cause in words that fit any framework first, then the express-session option.
 */
export function whyNoCookieCameBack(posted: Hop[], again: Hop[], url: string): string | undefined {
  if (again[0]?.cookieSent !== undefined) return undefined;
  const lines = posted.flatMap((hop) => hop.setCookie);
  if (lines.length === 0) return noSetCookie(posted[0]?.method ?? 'POST', url);
  for (const line of lines) {
    const cookie = explainCookie(line);
    if (!cookie) continue;
    if (cookie.path && !'/'.startsWith(cookie.path)) {
      return `The cookie ${cookie.name} was set with Path=${cookie.path}, so a browser sends it only to ${cookie.path} and the pages below it, never to GET /. Leave Path out, or set Path=/.`;
    }
    if (cookie.secure && url.startsWith('http:')) {
      return `The cookie ${cookie.name} is Secure, which a browser keeps only from https (or localhost), and ${url} is neither. Set Secure only behind https.`;
    }
    if (
      /max-age=(0|-)/i.test(line) ||
      (cookie.lifetime?.startsWith('Expires=') && new Date(cookie.lifetime.slice(8)) < new Date())
    ) {
      return `The cookie ${cookie.name} has already expired (${cookie.lifetime}), so the browser drops it at once.`;
    }
  }
  return `The browser got Set-Cookie: ${lines[0].split(';')[0]}, but could not use it for ${url}/: check its Domain and Path.`;
}

/**
 * The hint for a check whose visitors signed in (a POST answered below 400) without any answer
 * carrying a Set-Cookie: the missing cookie is the cause, whatever the check was about.
 */
export function noCookieAtAll(hops: Hop[], url: string): string | undefined {
  const signIn = hops.find((hop) => hop.method === 'POST' && hop.status < 400);
  if (!signIn || hops.some((hop) => hop.setCookie.length > 0)) return undefined;
  return noSetCookie(signIn.method, url);
}

/**
 * The causes of a sign-in answered without any Set-Cookie. A session framework sends its cookie
 * once something is stored, and most withhold a Secure cookie from a request that did not come
 * over https: express-session "If secure is set, and you access your site over HTTP, the cookie
 * will not be set" (its README, cookie.secure), and @fastify/session's cookie is secure unless
 * told otherwise (README, cookie options: `secure` "Defaults to true", "Value can be set to
 * `auto`"; index.js 11.x: `option(opts.cookie, 'secure', true)`, and no cookie when
 * `session.cookie.secure === true && request.protocol !== 'https'`; test/cookie.test.js "should
 * not set session cookie is request is not secure").
 */
export function noSetCookie(method: string, url: string, path = '/setName'): string {
  const plain = url.startsWith('http:');
  return [
    `${method} ${path} sent no Set-Cookie, so the browser had nothing to send back.`,
    'Either nothing was stored in the session (store the name there: the session sends its cookie once it holds something)',
    plain
      ? `or the session cookie is Secure and withheld because ${url} is plain http: with express-session, cookie.secure: true sends no cookie over http (behind an https proxy, also app.set("trust proxy", 1)); @fastify/session is Secure by default (cookie: { secure: false } or "auto" for http).`
      : 'or the session middleware never ran for this route.',
  ].join(' ');
}
