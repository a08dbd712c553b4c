import { explainCookie } from '../probe/cookies.js';
import { answered, greets } from '../probe/verdict.js';
import { noSetCookie } from './cookie-hints.js';
import { type DemoContext, type Expectation, held, type Verdict } from './types.js';
import { sessionCookies, signIn } from './visits.js';

// express-session is installed, but with saveUninitialized: false it sends no
// cookie until the app stores something, and this stage stores nothing yet.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const visitor = ctx.visitor('a browser', 'jar');
  const hops = [
    ...(await visitor.get(`${ctx.stage.probeUrl}/`)),
    ...(await visitor.get(`${ctx.stage.probeUrl}/`)),
  ];
  ctx.show({ kind: 'hops', visitor: visitor.label, hops });
  const cookies = hops.flatMap((hop) => hop.setCookie);
  return [
    {
      label: 'cookies sent by the server',
      outcome: cookies.length === 0 ? 'none' : `${cookies.length}`,
      expected: 'none',
      evidence:
        cookies.length === 0
          ? `${hops.length} responses, no Set-Cookie`
          : `Set-Cookie: ${cookies[0]}`,
    },
  ];
}

// The secret itself never shows over HTTP. What does: a server that makes sessions only when
// something is stored sends no session cookie to a visitor who has stored nothing. Another
// cookie (Django's csrftoken, set with every form) is no session: which one holds the session is
// found by experiment, after signing in. A server that accepts the name and still never sends a
// cookie has no session to judge, so it does not pass by sending nothing (@fastify/session's
// default Secure cookie over http does exactly that, see noSetCookie).
export const checks: Expectation[] = [
  {
    title: 'GET / answers without a session cookie while nothing is stored',
    hint: 'Save a session and send its cookie only when something is stored in it. With express-session: saveUninitialized: false.',
    exerciseHint:
      'Add express-session with app.use(session({ secret, resave: false, saveUninitialized: false })): saveUninitialized: false sends no cookie until something is stored.',
    async run(ctx) {
      const visitor = ctx.visitor('a browser', 'jar');
      const hops = [...(await visitor.get(`${ctx.url}/`)), ...(await visitor.get(`${ctx.url}/`))];
      const early = hops.flatMap((hop) => hop.setCookie);
      const answer = answered('GET /', hops.at(-1));
      const expected = 'answered, no session cookie';
      if (!held(answer)) return { ...answer, expected };
      const name = ctx.name('Ada');
      const { posted } = await signIn(ctx.url, visitor, name);
      const again = await visitor.get(`${ctx.url}/`);
      const signedIn = greets(again.at(-1), name);
      const stored = posted[0]?.status !== undefined && posted[0].status < 400;
      if (early.length === 0) {
        const later = [...posted, ...again].flatMap((hop) => hop.setCookie);
        if (stored && later.length === 0) {
          return {
            ...answer,
            outcome: 'no session cookie at all',
            expected,
            evidence: `GET / and POST /setName (${posted[0].status}) sent no Set-Cookie, after accepting the name`,
            hint: noSetCookie('POST', ctx.url),
          };
        }
        return {
          ...answer,
          outcome: expected,
          expected,
          evidence: stored
            ? `${hops.length} answers to GET /, no Set-Cookie; signing in then brought Set-Cookie: ${later[0].split(';')[0]}`
            : `${hops.length} answers to GET /, no Set-Cookie (POST /setName answered ${posted[0]?.status}: nothing is stored yet)`,
        };
      }
      const { session, others } = signedIn
        ? await sessionCookies(ctx, visitor, name)
        : { session: undefined, others: {} };
      const names = [...new Set(early.flatMap((line) => explainCookie(line)?.name ?? []))];
      const sessionEarly = session === undefined || names.includes(session);
      return {
        ...answer,
        outcome: sessionEarly ? 'sent a cookie' : expected,
        expected,
        evidence: sessionEarly
          ? `Set-Cookie: ${early[0].split(';')[0]}, though nothing was stored${session === undefined ? '' : ": it is the session's cookie (without it the name is forgotten)"}`
          : `Set-Cookie: ${names.map((n) => `${n}, ${others[n] ?? 'not the session'}`).join('; ')}. The session's cookie, ${session}, came only with the name`,
      };
    },
  },
];
