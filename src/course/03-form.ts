import { answered } from './kit.js';
import type { DemoContext, Expectation, Verdict } from './types.js';

// GET / serves the form; the form posts to /setName, which this stage has not built yet.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const visitor = ctx.visitor('a browser', 'jar');
  const [form] = await visitor.get(`${ctx.stage.probeUrl}/`);
  const posted = await visitor.post(`${ctx.stage.probeUrl}/setName`, { name: 'Ada' });
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [form, ...posted] });

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

// Any markup will do, as long as a browser would post a field called name to /setName.
export const checks: Expectation[] = [
  {
    title: 'GET / answers with a form that posts a field called name to /setName',
    hint: 'Serve a page with <form method="post" action="/setName"> and <input name="name"> at GET /.',
    async run(ctx) {
      const visitor = ctx.visitor('a browser (cookie jar)', 'jar');
      const last = (await visitor.get(`${ctx.url}/`)).at(-1);
      const expected = 'a form posting name to /setName';
      if (last?.status !== 200) return { ...answered('GET /', last), expected };
      const form = readForm(last.body, last.url);
      const problem = !form
        ? 'no <form> in the page'
        : form.method !== 'post'
          ? `the form's method is ${form.method}, not post`
          : form.action !== '/setName'
            ? `the form posts to ${form.action}, not /setName`
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

/** The first form of a page, as a browser would submit it: method, path posted to, field names. */
function readForm(html: string, pageUrl: string) {
  const tag = html.match(/<form\b[^>]*>/i)?.[0];
  if (!tag) return undefined;
  const attribute = (source: string, name: string) =>
    source
      .match(new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'))
      ?.slice(1)
      .find((v) => v !== undefined);
  const start = html.indexOf(tag);
  const end = html.slice(start).search(/<\/form>/i);
  const rest = html.slice(start, end === -1 ? undefined : start + end);
  const fields = [...rest.matchAll(/<(?:input|textarea|select)\b[^>]*>/gi)]
    .map((m) => attribute(m[0], 'name'))
    .filter((name) => name !== undefined);
  return {
    tag,
    method: (attribute(tag, 'method') ?? 'get').toLowerCase(),
    action: new URL(attribute(tag, 'action') ?? '', pageUrl).pathname,
    fields,
  };
}
