import { answered } from './kit.js';
import { type DemoContext, type Expectation, held, type Verdict } from './types.js';

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
// something is stored sends no cookie to a visitor who has stored nothing.
export const checks: Expectation[] = [
  {
    title: 'GET / answers without a cookie while nothing is stored',
    hint: 'Create a session only when something is stored in it. With express-session: saveUninitialized: false.',
    async run(ctx) {
      const visitor = ctx.visitor('a browser (cookie jar)', 'jar');
      const hops = [...(await visitor.get(`${ctx.url}/`)), ...(await visitor.get(`${ctx.url}/`))];
      const cookie = hops.flatMap((hop) => hop.setCookie)[0];
      const answer = answered('GET /', hops.at(-1));
      return {
        ...answer,
        outcome: cookie ? 'sent a cookie' : held(answer) ? 'answered, no cookie' : answer.outcome,
        expected: 'answered, no cookie',
        evidence: cookie
          ? `Set-Cookie: ${cookie.split(';')[0]}, though nothing was stored`
          : answer.evidence,
      };
    },
  },
];
