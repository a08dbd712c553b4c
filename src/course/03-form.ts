import type { DemoContext, Verdict } from './types.js';

// GET / serves the form; the form posts to /setName, which this stage has not built yet.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const visitor = ctx.visitor('a visitor with a cookie jar', 'jar');
  const [form] = await visitor.get(`${ctx.stage.probeUrl}/`);
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [form] });
  const posted = await visitor.post(`${ctx.stage.probeUrl}/setName`, { name: 'Ada' });
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: posted });

  const action = form.body.match(/<form[^>]*action="([^"]*)"/i)?.[1];
  const hasNameField = /<input[^>]*name="name"/i.test(form.body);
  return [
    {
      label: 'GET /',
      outcome: action !== undefined && hasNameField ? 'a form with a name field' : 'no form',
      expected: 'a form with a name field',
      evidence: action !== undefined ? `<form method="post" action="${action}">` : form.keyLine,
    },
    {
      label: 'POST /setName',
      outcome: posted[0].status === 404 ? 'not found (yet)' : `${posted[0].status}`,
      expected: 'not found (yet)',
      evidence: `${posted[0].status} ${posted[0].keyLine}`,
    },
  ];
}
