import { randomBytes } from 'node:crypto';
import { explainCookie, tamperSignature } from '../probe/cookies.js';
import { noSetCookie } from './cookie-hints.js';
import { storedSessions, watchStore } from './stored.js';
import type { DemoContext, Expectation, Verdict } from './types.js';
import { sessionCookies, signIn } from './visits.js';

// Storing the name makes express-session create a session and send its ID in a
// signed cookie. The name itself stays on the server.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const madeHere = await watchStore(ctx.stage.store);
  const ada = ctx.visitor("Ada's browser", 'jar');
  const posted = await ada.post(
    `${ctx.stage.probeUrl}/setName`,
    { name: 'Ada' },
    { follow: false },
  );
  ctx.show({ kind: 'hops', visitor: ada.label, hops: posted });

  const setCookie = posted[0].setCookie[0];
  const cookie = setCookie === undefined ? undefined : explainCookie(setCookie);
  if (cookie) ctx.show({ kind: 'cookie', cookie });
  const stored = await madeHere();
  ctx.show({ kind: 'store', entries: stored });

  const entry = stored.find((s) => s.id === cookie?.sessionId);
  const verdicts: Verdict[] = [
    {
      label: 'the cookie',
      outcome:
        cookie?.kind === 'signed-session-id' && !cookie.value.includes('Ada')
          ? 'a signed session ID, no name'
          : cookie
            ? 'something else'
            : 'no cookie',
      expected: 'a signed session ID, no name',
      evidence:
        setCookie === undefined
          ? 'no Set-Cookie'
          : `${cookie?.kind === 'signed-session-id' ? 's: + session ID + . + signature' : 'its value'}, without the name Ada`,
    },
    {
      label: "the server's store",
      outcome: entry?.data.myName === 'Ada' ? 'holds the name' : 'does not hold the name',
      expected: 'holds the name',
      evidence: entry
        ? `the session the cookie names holds ${JSON.stringify(entry.data)}`
        : 'no entry for that session ID',
    },
  ];

  // A forger changes one character of the signature and tries to join Ada's session.
  const mallory = ctx.visitor('Mallory (tampered cookie)', 'jar');
  const forged = tamperSignature(setCookie?.split(';')[0] ?? 'connect.sid=s%3Ax.y');
  // decoded, as the cookie taken apart above shows it
  const signatureOf = (nameValue: string) =>
    decodeURIComponent(nameValue.slice(nameValue.lastIndexOf('.') + 1));
  ctx.show({
    kind: 'say',
    text: `Mallory, an attacker, copies Ada's cookie and changes the last character of its signature: ${signatureOf(setCookie?.split(';')[0] ?? '')} becomes ${signatureOf(forged)}.`,
  });
  const tampered = await mallory.post(
    `${ctx.stage.probeUrl}/setName`,
    { name: 'Mallory' },
    { cookie: forged, follow: false },
  );
  ctx.show({ kind: 'hops', visitor: mallory.label, hops: tampered });
  const newCookie =
    tampered[0].setCookie[0] === undefined ? undefined : explainCookie(tampered[0].setCookie[0]);
  const after = await storedSessions(ctx.stage.store);
  const adaStill = after.find((s) => s.id === cookie?.sessionId)?.data.myName === 'Ada';
  verdicts.push({
    label: 'a tampered signature',
    outcome:
      newCookie?.sessionId !== undefined && newCookie.sessionId !== cookie?.sessionId && adaStill
        ? 'treated as a new visitor'
        : 'accepted',
    expected: 'treated as a new visitor',
    evidence: newCookie
      ? `the server gave a fresh session ID (${newCookie.sessionId?.slice(0, 8)}…) and Ada's session still says Ada`
      : 'no new cookie was sent',
  });
  return verdicts;
}

export const checks: Expectation[] = [
  {
    title: 'POST /setName answers with a redirect back to /',
    hint: 'After storing the name, answer with a redirect to / (a 302 or 303 with Location: /). With Express: res.redirect("/").',
    exerciseHint:
      "Add app.post('/setName', …): read the form with express.urlencoded(), store the name in req.session, then res.redirect('/').",
    async run(ctx) {
      const browser = ctx.visitor('a browser', 'jar');
      const {
        posted: [hop],
      } = await signIn(ctx.url, browser, ctx.name('Ada'), { follow: false });
      const redirect = hop.status >= 300 && hop.status < 400 && hop.location !== undefined;
      const to = redirect ? new URL(hop.location ?? '', hop.url).pathname : undefined;
      return {
        label: 'POST /setName',
        outcome: to === '/' ? 'a redirect to /' : to ? `a redirect to ${to}` : `${hop.status}`,
        expected: 'a redirect to /',
        evidence: `${hop.status}${hop.location ? ` Location: ${hop.location}` : ` ${hop.keyLine}`}`,
      };
    },
  },
  {
    title: 'POST /setName sets a cookie that carries a session ID, not the name',
    hint: 'Keep the name on the server, in the session, and let the session middleware send the cookie that names the session. With express-session: req.session.myName = name.',
    exerciseHint:
      'Store the name in req.session.myName and let express-session send its cookie; never put the name itself in a cookie.',
    async run(ctx) {
      // where the data lives, measured: two browsers sign in, one with a name 200 characters
      // longer; a cookie that grows with the name carries it, readable or encrypted
      const browser = ctx.visitor('a browser', 'jar');
      const other = ctx.visitor('another browser, with a longer name', 'jar');
      const name = ctx.name('Ada');
      const longer = ctx.name(`Ada${randomBytes(100).toString('hex')}`);
      const short = await signIn(ctx.url, browser, name, { follow: false });
      const long = await signIn(ctx.url, other, longer, { follow: false });
      // what the browser was given, the form page included (PHP sends its cookie there)
      const given = ({ page, posted }: typeof short) =>
        [page, ...posted].flatMap((hop) => hop?.setCookie ?? []);
      const [hop] = short.posted;
      const lines = given(short);
      const expected = 'a cookie without the name';
      if (lines.length === 0) {
        return {
          label: 'POST /setName',
          outcome: 'no cookie',
          expected,
          evidence: `GET / and POST /setName (${hop.status}) sent no Set-Cookie`,
          hint: noSetCookie('POST', ctx.url),
        };
      }
      const readable = lines.find((line) => {
        const cookie = explainCookie(line);
        return (
          cookie !== undefined &&
          (cookie.value.includes(name) || JSON.stringify(cookie.payload ?? '').includes(name))
        );
      });
      const grown = growing(lines, given(long));
      // the evidence of a pass shows the session's own cookie, found by experiment, not the first
      // one set (Django's csrftoken comes with the form)
      const { session } = await sessionCookies(ctx, browser, name);
      const shown = lines.find((line) => explainCookie(line)?.name === session) ?? lines[0];
      const outcome = readable
        ? 'a cookie carrying the name'
        : grown
          ? 'a cookie carrying the name, encrypted'
          : expected;
      return {
        label: 'POST /setName',
        outcome,
        expected,
        evidence: readable
          ? `Set-Cookie: ${readable.split(';')[0]}`
          : grown
            ? `the cookie ${grown.name} grew from ${grown.from} to ${grown.to} characters for a name 200 characters longer, and cannot be read: the data travels in the cookie, encrypted`
            : `Set-Cookie: ${shown.split(';')[0]}`,
        hint:
          readable || grown
            ? `${readable ? `Anyone holding that cookie can read ${name} in it, and a signature only stops changes.` : 'Encrypted, the name cannot be read, but the data still travels with every request, and a copied cookie stays valid until it expires, logout or not.'} ${serverSideOption(lines) ?? 'Store the name in a server-side session instead, whose cookie holds only a random ID.'}`
            : undefined,
      };
    },
  },
];

/** The cookie, set in both sign-ins, whose value grew by half the 200 added characters or more. */
function growing(
  short: string[],
  long: string[],
): { name: string; from: number; to: number } | undefined {
  for (const line of long) {
    const after = explainCookie(line);
    const before = short.map((l) => explainCookie(l)).find((c) => c?.name === after?.name);
    if (after && before && after.value.length - before.value.length >= 100) {
      return { name: after.name, from: before.value.length, to: after.value.length };
    }
  }
  return undefined;
}

/**
 * When a server's session cookie carries the data itself, the framework that made it, known by
 * its shape, and in one sentence the option that keeps the data on the server instead.
 */
export function serverSideOption(setCookies: string[]): string | undefined {
  const cookies = setCookies.flatMap((line) => explainCookie(line) ?? []);
  const names = new Set(cookies.map((c) => c.name));
  const signed = cookies.find((c) => names.has(`${c.name}.sig`));
  if (signed) {
    // cookie-session and koa-session both write X and X.sig (the cookies module's signing), so the
    // shape names no one framework
    return `${signed.name} with ${signed.name}.sig is a session kept in a signed cookie, which carries the data itself: keep it on the server instead, in a server-side session (express-session with a store).`;
  }
  for (const { name, value } of cookies) {
    const plain = value.replace(/^"(.*)"$/, '$1');
    // itsdangerous: base64url payload (a leading dot when compressed), a 6-character timestamp
    // and a signature, joined by dots. Flask's default session writes it, but so may others
    // (Starlette's SessionMiddleware signs with itsdangerous' TimestampSigner), so Flask is
    // named only as the case it fits. Flask-Session 0.7.0 deprecated FileSystemSessionInterface
    // in favour of CacheLibSessionInterface (its changelog), so the hint names "cachelib".
    if (/^\.?[\w-]{8,}\.[\w-]{6}\.[\w-]{20,}$/.test(plain)) {
      return `${name}=payload.timestamp.signature is the shape itsdangerous signs, which keeps the data in the cookie, as Flask's default session does. With Flask, Flask-Session with SESSION_TYPE set to "redis" or "cachelib" keeps it on the server.`;
    }
    // Django's signed_cookies engine: the same three parts, joined by colons
    if (/^\.?[\w-]{8,}:[0-9A-Za-z]{5,7}:[\w-]{20,}$/.test(plain)) {
      return `${name}=payload:timestamp:signature is the shape Django's signed_cookies session engine writes, which keeps the data in the cookie. With Django, set SESSION_ENGINE to "django.contrib.sessions.backends.db", the default, to keep it on the server.`;
    }
  }
  return undefined;
}
