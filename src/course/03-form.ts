import { formPostingTo, formsOf } from '../probe/html.js';
import { answered } from '../probe/verdict.js';
import type { DemoContext, Expectation, Verdict } from './types.js';

// GET / serves the form; the form posts to /setName, which this stage has not built yet.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const visitor = ctx.visitor('a browser', 'jar');
  const [form] = await visitor.get(`${ctx.stage.probeUrl}/`);
  const posted = await visitor.post(`${ctx.stage.probeUrl}/setName`, { name: 'Ada' });
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [form, ...posted] });

  const [first] = formsOf(form);
  return [
    {
      label: 'GET /',
      outcome: first?.fields.includes('name') ? 'a form with a name field' : 'no form',
      expected: 'a form with a name field',
      evidence: first?.tag ?? form.keyLine,
    },
    {
      label: 'POST /setName',
      outcome: posted[0].status === 404 ? 'not found (yet)' : `${posted[0].status}`,
      expected: 'not found (yet)',
      evidence: `${posted[0].status} ${posted[0].keyLine}`,
    },
  ];
}

// Any markup will do, as long as a browser would post a field called name to /setName.
export const checks: Expectation[] = [
  {
    title: 'GET / answers with a form that posts a field called name to /setName',
    hint: 'Serve a page with <form method="post" action="/setName"> and <input name="name"> at GET /.',
    exerciseHint:
      'In GET /, send the form instead of the greeting: res.send(formPage()), with formPage imported from ../pages.js.',
    async run(ctx) {
      const visitor = ctx.visitor('a browser', 'jar');
      const last = (await visitor.get(`${ctx.url}/`)).at(-1);
      const expected = 'a form posting name to /setName';
      if (last?.status !== 200) return { ...answered('GET /', last), expected };
      // the sign-in form, wherever it stands among the page's forms
      const form = formPostingTo(last, '/setName') ?? formsOf(last)[0];
      const problem = !form
        ? 'no <form> in the page'
        : form.method !== 'post'
          ? `the form's method is ${form.method}, not post`
          : new URL(form.action).pathname !== '/setName'
            ? `the form posts to ${new URL(form.action).pathname}, not /setName`
            : !form.fields.includes('name')
              ? `the form has no field called name (fields: ${form.fields.join(', ') || 'none'})`
              : undefined;
      return {
        label: 'GET /',
        outcome: problem ?? expected,
        expected,
        evidence: form?.tag ?? last.keyLine,
      };
    },
  },
];
