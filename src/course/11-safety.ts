import { randomBytes } from 'node:crypto';
import signature from 'cookie-signature';
import session from 'express-session';
import { explainCookie } from '../probe/cookies.js';
import { pageOf } from '../probe/html.js';
import { greets } from '../probe/verdict.js';
import { rawGreetingApp } from '../server/contrasts.js';
import { listenApp, startStage } from '../server/start.js';
import { StageRefused, startStageProcess } from './stage-process.js';
import type { DemoContext, Expectation, Verdict } from './types.js';
import { sessionCookies, signIn } from './visits.js';

const hostile = '<script>alert(document.cookie)</script>';
const freshSecret = () => randomBytes(32).toString('hex');

export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  return [
    ...(await escaping(ctx)),
    ...(await cookieFlags(ctx)),
    ...(await fixation(ctx)),
    ...(await rotation(ctx)),
    await production(ctx),
  ];
}

/** A name that is a script, put into the page raw and escaped. */
async function escaping(ctx: DemoContext): Promise<Verdict[]> {
  const raw = ctx.own(await listenApp(rawGreetingApp(freshSecret(), new session.MemoryStore())));
  const verdicts: Verdict[] = [];
  for (const [label, base, expected, where] of [
    [
      'the name, put into the page raw',
      raw.probeUrl,
      'runs as a script',
      'an app that puts it in raw',
    ],
    [
      'the name, escaped (stage 11)',
      ctx.stage.probeUrl,
      'shown as text',
      'stage 11, which escapes it',
    ],
  ] as const) {
    const mallory = ctx.visitor(`Mallory, her name a script, on ${where}`, 'jar');
    const hops = await mallory.post(`${base}/setName`, { name: hostile });
    const last = hops.at(-1);
    verdicts.push({
      label,
      outcome:
        last && pageOf(last).madeElement(hostile)
          ? 'runs as a script'
          : greets(hops.at(-1), hostile)
            ? 'shown as text'
            : 'not shown',
      expected,
      evidence: hops.at(-1)?.keyLine ?? 'no page',
      unsafe: expected === 'runs as a script' ? 'the attack works' : undefined,
    });
  }
  return verdicts;
}

/** The cookie's flags, over plain HTTP and as if behind an HTTPS proxy. */
async function cookieFlags(ctx: DemoContext): Promise<Verdict[]> {
  const visitor = ctx.visitor('Ada (no jar, to read each Set-Cookie as sent)', 'goldfish');
  const plain = await visitor.post(
    `${ctx.stage.probeUrl}/setName`,
    { name: 'Ada' },
    { follow: false },
  );
  // what a TLS-terminating proxy on this machine adds to a request that came over HTTPS
  const viaHttps = await visitor.post(
    `${ctx.stage.probeUrl}/setName`,
    { name: 'Ada' },
    { follow: false, headers: { 'x-forwarded-proto': 'https' } },
  );
  const overHttp = explainCookie(plain[0].setCookie[0] ?? '');
  const overHttps = explainCookie(viaHttps[0].setCookie[0] ?? '');
  // the attributes in full, which a diagram's line would cut: the value says nothing here
  const attributes = (line: string | undefined) =>
    line === undefined ? 'none' : `connect.sid=…; ${line.split(';').slice(1).join(';').trim()}`;
  const secureWord = (secure: boolean | undefined) => (secure ? 'Secure' : 'not Secure');
  return [
    {
      label: "the cookie's flags",
      outcome: [
        overHttp?.httpOnly ? 'HttpOnly' : 'readable by scripts',
        `SameSite=${overHttp?.sameSite ?? 'unset'}`,
      ].join(', '),
      expected: 'HttpOnly, SameSite=lax',
      evidence: `Set-Cookie: ${attributes(plain[0].setCookie[0])}`,
    },
    {
      label: 'the Secure flag',
      outcome: `${secureWord(overHttp?.secure)} over HTTP, ${secureWord(overHttps?.secure)} behind HTTPS`,
      expected: 'not Secure over HTTP, Secure behind HTTPS',
      evidence: `behind HTTPS (X-Forwarded-Proto: https from a trusted proxy): ${attributes(viaHttps[0].setCookie[0]).replace(/^.*(; Secure)/, '…$1')}`,
    },
  ];
}

/** Mallory plants her own session ID in Ada's browser, then waits for Ada to sign in. */
async function fixation(ctx: DemoContext): Promise<Verdict[]> {
  if (!ctx.stageBefore) throw new Error('lesson 11 compares its stage with the one before');
  const stage10 = ctx.own(await startStage(ctx.stageBefore, { secret: freshSecret() }));
  const verdicts: Verdict[] = [];
  for (const [where, base, expected] of [
    ['stage 10', stage10.probeUrl, 'kept'],
    ['stage 11', ctx.stage.probeUrl, 'changed'],
  ] as const) {
    const mallory = ctx.visitor(`Mallory, on ${where}`, 'jar');
    const ada = ctx.visitor(`Ada, on ${where}, with Mallory's cookie planted`, 'jar');
    await mallory.post(`${base}/setName`, { name: 'Mallory' });
    const planted = await mallory.jar.getCookieString(base);
    const signIn = await ada.post(
      `${base}/setName`,
      { name: 'Ada' },
      { cookie: planted, follow: false },
    );
    const before = sessionId(planted);
    const after = sessionId(signIn[0].setCookie[0] ?? planted);
    const spy = await mallory.get(`${base}/`);
    verdicts.push(
      {
        label: `the session ID when Ada signs in, ${where}`,
        outcome: before !== undefined && before === after ? 'kept' : 'changed',
        expected,
        evidence: `before ${before}, after ${after}`,
        // a kept ID is what lets a planted one work: never shown as a plain ✔
        unsafe: expected === 'kept' ? 'unsafe' : undefined,
      },
      {
        label: `Mallory, with the ID she planted, ${where}`,
        outcome: greets(spy.at(-1), 'Ada') ? "sees Ada's session" : "does not see Ada's session",
        expected: expected === 'kept' ? "sees Ada's session" : "does not see Ada's session",
        evidence: `GET / answered ${spy.at(-1)?.keyLine}`,
        unsafe: expected === 'kept' ? 'the attack works' : undefined,
      },
    );
  }
  return verdicts;
}

/** A new secret put first: old cookies still verify, new ones are signed with the new secret. */
async function rotation(ctx: DemoContext): Promise<Verdict[]> {
  const [oldSecret, newSecret] = [freshSecret(), freshSecret()];
  const store = new session.MemoryStore();
  const before = ctx.own(await startStage(ctx.stage.ref, { secret: oldSecret, store }));
  const ada = ctx.visitor('Ada (cookie jar)', 'jar');
  await ada.post(`${before.probeUrl}/setName`, { name: 'Ada' });
  await before.stop();
  const after = ctx.own(await startStage(ctx.stage.ref, { secret: [newSecret, oldSecret], store }));
  ctx.show({ kind: 'say', text: 'The server restarts with secret: [newSecret, oldSecret].' });
  const back = await ada.get(`${after.probeUrl}/`);
  ctx.show({ kind: 'hops', visitor: ada.label, hops: back });
  const resent = back.at(-1)?.setCookie[0];
  return [
    {
      label: "Ada's cookie signed with the old secret, after rotation",
      outcome: greets(back.at(-1), 'Ada') ? 'still verifies' : 'rejected',
      expected: 'still verifies',
      evidence: `GET / answered ${back.at(-1)?.keyLine}`,
    },
    {
      label: 'the cookie the server sends now',
      outcome:
        resent === undefined ? 'none sent' : signedWith(resent, { new: newSecret, old: oldSecret }),
      expected: 'signed with the new secret',
      evidence: resent ? `Set-Cookie: ${resent.split(';')[0]}` : 'no Set-Cookie',
    },
  ];
}

/** Stage 11 in production mode with a guessable secret: it must refuse to start. */
async function production(ctx: DemoContext): Promise<Verdict> {
  const weak = 'keyboard cat';
  try {
    const started = ctx.own(
      await startStageProcess(ctx.stage.number, {
        store: { kind: 'memory' },
        secret: weak,
        env: { NODE_ENV: 'production' },
      }),
    );
    await started.stop();
    return {
      label: `NODE_ENV=production, SESSION_SECRET="${weak}"`,
      outcome: 'started anyway',
      expected: 'refused to start',
      evidence: `it listened on port ${started.port}`,
    };
  } catch (err) {
    if (!(err instanceof StageRefused)) throw err;
    ctx.show({ kind: 'say', text: `Stage ${ctx.stage.number} said: ${err.said}` });
    return {
      label: `NODE_ENV=production, SESSION_SECRET="${weak}"`,
      outcome: 'refused to start',
      expected: 'refused to start',
      evidence: `exit code ${err.exitCode}, with the message above`,
    };
  }
}

function sessionId(cookie: string): string | undefined {
  return explainCookie(cookie)?.sessionId;
}

function signedWith(setCookie: string, secrets: Record<string, string>): string {
  const value = decodeURIComponent(explainCookie(setCookie)?.value ?? '').replace(/^s:/, '');
  const which = Object.entries(secrets).find(
    ([, secret]) => signature.unsign(value, secret) !== false,
  );
  return which ? `signed with the ${which[0]} secret` : 'signed with neither secret';
}

export const checks: Expectation[] = [
  {
    title: 'the session cookie is HttpOnly and SameSite=Lax (or Strict)',
    needsSessionCookie: true,
    hint: 'Keep the session cookie from page scripts and from other sites’ POST forms: HttpOnly and SameSite=Lax. With express-session: cookie: { httpOnly: true, sameSite: "lax" }.',
    exerciseHint:
      "In the session's cookie options, next to maxAge, add httpOnly: true and sameSite: 'lax'.",
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const name = ctx.name('Ada');
      const { page, posted } = await signIn(ctx.url, browser, name);
      // the session's own cookie, found by experiment: a CSRF cookie meant for scripts is no fault
      const { session } = await sessionCookies(ctx, browser, name);
      const lines = [page, ...posted].flatMap((hop) => hop?.setCookie ?? []);
      const line = lines.filter((l) => explainCookie(l)?.name === session).at(-1) ?? lines[0];
      const cookie = line === undefined ? undefined : explainCookie(line);
      const sameSite = cookie?.sameSite === 'lax' || cookie?.sameSite === 'strict';
      return {
        label: 'the cookie set when the name is stored',
        outcome: !cookie
          ? 'no cookie'
          : [
              cookie.httpOnly ? 'HttpOnly' : 'readable by page scripts',
              sameSite
                ? 'SameSite set'
                : cookie.sameSite === 'none'
                  ? 'SameSite=None'
                  : 'no SameSite',
            ].join(', '),
        expected: 'HttpOnly, SameSite set',
        evidence: `Set-Cookie: ${line ?? 'none'}`,
      };
    },
  },
  {
    title: 'signing in gives a new session ID, so an ID planted beforehand leads nowhere',
    needsSessionCookie: true,
    hint: 'Give the visitor a new session ID when it signs in, keeping none it brought along. With express-session: req.session.regenerate() before storing the name.',
    exerciseHint:
      'In POST /setName, call req.session.regenerate((err) => …) first, and store the name and save inside its callback.',
    async run(ctx) {
      const mallory = ctx.visitor('Mallory (cookie jar)', 'jar');
      const ada = ctx.visitor("Ada, with Mallory's cookie planted", 'jar');
      const [malloryName, adaName] = [ctx.name('Mallory'), ctx.name('Ada')];
      await signIn(ctx.url, mallory, malloryName);
      // the attacker plants her cookies in Ada's jar, where they stay for the whole sign-in,
      // as a cookie set by a sibling subdomain or an injected page would
      for (const cookie of await mallory.jar.getCookies(`${ctx.url}/`)) {
        await ada.jar.setCookie(cookie.toString(), `${ctx.url}/`);
      }
      const planted = await ada.jar.getCookieString(`${ctx.url}/`);
      const { posted } = await signIn(ctx.url, ada, adaName);
      const spy = await mallory.get(`${ctx.url}/`);
      const adaIn = greets(posted.at(-1), adaName);
      return {
        label: 'Mallory, after Ada signed in with the planted cookie',
        // what Mallory sees decides, whatever Ada's own page showed
        outcome: greets(spy.at(-1), adaName)
          ? "sees Ada's session"
          : adaIn
            ? "does not see Ada's session"
            : 'Ada was not signed in',
        expected: "does not see Ada's session",
        evidence: `Ada's jar held ${planted || 'nothing'} when she signed in; Mallory's GET / then answered ${spy.at(-1)?.keyLine ?? 'nothing'}`,
      };
    },
  },
];
