import { answered } from '../probe/verdict.js';
import type { DemoContext, Expectation, Verdict } from './types.js';

// The same visitor asks twice. If nothing in the two requests differs, the server
// cannot tell a first visit from a second: it has forgotten.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  // it would keep cookies like a browser, but this server sends none: cookies come in lesson 2
  const visitor = ctx.visitor('a visitor', 'jar');
  const first = await visitor.get(`${ctx.stage.probeUrl}/`);
  const second = await visitor.get(`${ctx.stage.probeUrl}/`);
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [...first, ...second] });

  const a = first[0];
  const b = second[0];
  const alike = a.cookieSent === b.cookieSent && a.body === b.body && b.setCookie.length === 0;
  return [
    {
      label: 'the same visitor, twice',
      outcome: alike ? 'forgotten' : 'remembered',
      expected: 'forgotten',
      evidence: alike
        ? `both requests carried Cookie: ${a.cookieSent ?? 'none'} and got "${a.keyLine}"`
        : 'the second request differed from the first',
    },
  ];
}

// Forgetting cannot be told apart from remembering nothing, so over HTTP lesson 1 can only ask
// that the server answers at all: the first thing to get right in a server of your own.
export const checks: Expectation[] = [
  {
    title: 'GET / answers with a page',
    hint: 'Make GET / answer with status 200 and some text, such as "Hello".',
    exerciseHint:
      "server.js is empty: import express, make an app, answer GET / with res.send('Hello'), and listen on the port the tutor gives: app.listen(process.env.PORT).",
    async run(ctx) {
      const visitor = ctx.visitor('a visitor', 'goldfish');
      const last = (await visitor.get(`${ctx.url}/`)).at(-1);
      return answered('GET /', last);
    },
  },
];
