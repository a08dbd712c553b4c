import { explainCookie } from '../probe/cookies.js';
import { greets, rememberedVerdict } from '../probe/verdict.js';
import { startStage } from '../server/start.js';
import type { DemoContext, Expectation, Verdict } from './types.js';
import { sessionCookies, signIn } from './visits.js';

// A copy of this stage whose sessions live 3 seconds, so the wait stays short.
const shortLife = 3000;
// Grace returns four times a lifetime: on a busy machine a late visit still comes well in time.
const graceEvery = shortLife / 4;

export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const stage = ctx.own(await startStage(ctx.stage.ref, { maxAge: shortLife }));
  ctx.show({
    kind: 'say',
    text: `A copy of stage ${ctx.stage.number} whose sessions live ${shortLife / 1000} s runs for this demo only.`,
  });
  const ada = ctx.visitor('Ada (cookie jar)', 'jar');
  const grace = ctx.visitor('Grace (cookie jar, keeps visiting)', 'jar');

  const posted = await ada.post(`${stage.probeUrl}/setName`, { name: 'Ada' });
  ctx.show({ kind: 'hops', visitor: ada.label, hops: posted });
  const setCookie = posted[0].setCookie[0];
  const cookie = setCookie === undefined ? undefined : explainCookie(setCookie);
  const oldCookie = setCookie?.split(';')[0];
  // With rolling, the GET / after the redirect sent the cookie again with a later date: the last
  // Set-Cookie tells when Ada's session ends. Expires is rounded down to the second, so the
  // session ends within a second after it.
  const last = posted.flatMap((hop) => hop.setCookie).at(-1);
  const expires = Date.parse(last?.match(/Expires=([^;]+)/i)?.[1] ?? '');
  const endsBy = (Number.isNaN(expires) ? Date.now() + shortLife : expires) + 1000;
  const verdicts: Verdict[] = [
    {
      label: 'the cookie',
      outcome: cookie?.lifetime ? 'persistent (it has an expiry date)' : 'until the browser closes',
      expected: 'persistent (it has an expiry date)',
      evidence: setCookie
        ? `Set-Cookie: connect.sid=…; ${setCookie.split(';').slice(1).join(';').trim()}`
        : 'no Set-Cookie',
    },
    rememberedVerdict('Ada, at once', posted.at(-1), 'Ada', 'remembered'),
  ];

  // Grace comes back several times a lifetime until Ada's cookie has surely expired: each
  // response restarts Grace's clock (rolling), while Ada's runs out.
  await grace.post(`${stage.probeUrl}/setName`, { name: 'Grace' });
  ctx.show({
    kind: 'say',
    text: `Ada stays away until her cookie has expired; Grace visits every ${graceEvery / 1000} s.`,
  });
  let graceHops = await grace.get(`${stage.probeUrl}/`);
  let graceKept = greets(graceHops.at(-1), 'Grace');
  while (Date.now() < endsBy) {
    await ctx.wait(Math.min(graceEvery, Math.max(0, endsBy - Date.now())), 'Grace returns');
    graceHops = await grace.get(`${stage.probeUrl}/`);
    graceKept &&= greets(graceHops.at(-1), 'Grace');
  }
  ctx.show({ kind: 'hops', visitor: grace.label, hops: graceHops });
  verdicts.push({
    ...rememberedVerdict(grace.label, graceHops.at(-1), 'Grace', 'remembered'),
    outcome: graceKept ? 'remembered' : 'forgotten',
  });

  // By now Ada's lifetime, counted from the server's last answer to her, has passed.
  const back = await ada.get(`${stage.probeUrl}/`);
  ctx.show({ kind: 'hops', visitor: ada.label, hops: back });
  verdicts.push({
    ...rememberedVerdict('Ada, after her cookie expired', back.at(-1), 'Ada', 'forgotten'),
    evidence:
      back[0].cookieSent === undefined
        ? `her jar dropped the expired cookie, so GET / carried none and got ${back.at(-1)?.keyLine}`
        : `GET / carried Cookie: ${back[0].cookieSent} and got ${back.at(-1)?.keyLine}`,
  });
  const replayed = await ada.get(`${stage.probeUrl}/`, { cookie: oldCookie ?? '' });
  ctx.show({ kind: 'hops', visitor: `${ada.label}, replaying her old cookie`, hops: replayed });
  verdicts.push(
    rememberedVerdict("Ada's old cookie, replayed", replayed.at(-1), 'Ada', 'forgotten'),
  );
  return verdicts;
}

export const checks: Expectation[] = [
  {
    title: 'the session cookie has an expiry date, so the session has a lifetime',
    needsSessionCookie: true,
    hint: 'Give the session cookie a lifetime, sent as Max-Age or Expires, so the browser drops it and the server can expire the session. With express-session: cookie: { maxAge }.',
    exerciseHint:
      "In the session options, add cookie: { maxAge } (createApp's options bring maxAge, 30 minutes by default); rolling: true restarts the clock on each visit.",
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const name = ctx.name('Ada');
      const { page, posted } = await signIn(ctx.url, browser, name);
      // the session's own cookie, found by experiment: a CSRF cookie's lifetime proves nothing
      const { session } = await sessionCookies(ctx, browser, name);
      const all = [page, ...posted].flatMap((hop) => hop?.setCookie ?? []);
      const own = all.filter((line) => explainCookie(line)?.name === session);
      const cookies = own.length > 0 ? own : all;
      const lasting = cookies.find((line) => explainCookie(line)?.lifetime !== undefined);
      return {
        label: 'the cookie set when the name is stored',
        outcome: lasting
          ? 'persistent (it has an expiry date)'
          : cookies.length > 0
            ? 'until the browser closes'
            : 'no cookie',
        expected: 'persistent (it has an expiry date)',
        evidence: `Set-Cookie: ${lasting ?? cookies[0] ?? 'none'}`,
      };
    },
  },
];
