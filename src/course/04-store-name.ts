import { explainCookie, tamperSignature } from '../probe/cookies.js';
import { storedSessions, watchStore } from './kit.js';
import type { DemoContext, Expectation, Verdict } from './types.js';

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
    hint: 'After storing the name, redirect: res.redirect("/") in Express, a 302 or 303 with Location: / anywhere else.',
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const [hop] = await browser.post(
        `${ctx.url}/setName`,
        { name: ctx.name('Ada') },
        { follow: false },
      );
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
    hint: 'Keep the name on the server, in the session, and let the session middleware send the cookie that names the session.',
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const name = ctx.name('Ada');
      const [hop] = await browser.post(`${ctx.url}/setName`, { name }, { follow: false });
      const lines = hop.setCookie;
      const expected = 'a cookie without the name';
      if (lines.length === 0) {
        return {
          label: 'POST /setName',
          outcome: 'no cookie',
          expected,
          evidence: `${hop.status} with no Set-Cookie`,
        };
      }
      const carrier = lines.find((line) => {
        const cookie = explainCookie(line);
        return (
          cookie !== undefined &&
          (cookie.value.includes(name) || JSON.stringify(cookie.payload ?? '').includes(name))
        );
      });
      return {
        label: 'POST /setName',
        outcome: carrier ? 'a cookie carrying the name' : expected,
        expected,
        evidence: `Set-Cookie: ${(carrier ?? lines[0]).split(';')[0]}`,
        hint: carrier
          ? `Anyone holding that cookie can read ${name} in it, and a signature only stops changes. ${serverSideOption(lines) ?? 'Store the name in a server-side session instead.'}`
          : undefined,
      };
    },
  },
];

/**
 * When a server's session cookie carries the data itself, the framework that made it, known by
 * its shape, and in one sentence the option that keeps the data on the server instead.
 */
export function serverSideOption(setCookies: string[]): string | undefined {
  const cookies = setCookies.flatMap((line) => explainCookie(line) ?? []);
  const names = new Set(cookies.map((c) => c.name));
  const signed = cookies.find((c) => names.has(`${c.name}.sig`));
  if (signed) {
    return `${signed.name} with ${signed.name}.sig is the shape of cookie-session, which keeps the data in the cookie: use express-session with a store, which keeps it on the server.`;
  }
  for (const { name, value } of cookies) {
    const plain = value.replace(/^"(.*)"$/, '$1');
    // itsdangerous: base64url payload (a leading dot when compressed), a 6-character timestamp
    // and a signature, joined by dots
    if (/^\.?[\w-]{8,}\.[\w-]{6}\.[\w-]{20,}$/.test(plain)) {
      return `${name}=payload.timestamp.signature is the shape of Flask's default session (itsdangerous), which keeps the data in the cookie: Flask-Session, with SESSION_TYPE set to "redis" or "filesystem", keeps it on the server.`;
    }
    // Django's signed_cookies engine: the same three parts, joined by colons
    if (/^\.?[\w-]{8,}:[0-9A-Za-z]{5,7}:[\w-]{20,}$/.test(plain)) {
      return `${name}=payload:timestamp:signature is the shape of Django's signed_cookies session engine, which keeps the data in the cookie: set SESSION_ENGINE to "django.contrib.sessions.backends.db", the default, to keep it on the server.`;
    }
  }
  return undefined;
}
