import type { DemoContext, Verdict } from './types.js';

// express-session is installed, but with saveUninitialized: false it sends no
// cookie until the app stores something, and this stage stores nothing yet.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const visitor = ctx.visitor('a visitor with a cookie jar', 'jar');
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
          ? `${hops.length} responses, no Set-Cookie: nothing is stored, so there is nothing to remember`
          : `Set-Cookie: ${cookies[0]}`,
    },
  ];
}
