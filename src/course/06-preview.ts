import type { Hop } from '../probe/visitor.js';
import { postNameThenReturn, rememberedVerdict, tellNameThenReturn } from './kit.js';
import type { DemoContext, Expectation, Verdict } from './types.js';

// A preview pane that blocks third-party cookies receives the cookie but never returns it.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const preview = ctx.visitor('preview pane (takes cookies, never returns them)', 'receive-only');
  const tab = ctx.visitor('browser tab (cookie jar)', 'jar');
  const verdicts = [
    await tellNameThenReturn(ctx, preview, 'Ada', 'forgotten'),
    await tellNameThenReturn(ctx, tab, 'Grace', 'remembered'),
  ];
  const [embedded] = await tab.get(`${ctx.stage.probeUrl}/embedded`);
  ctx.show({ kind: 'hops', visitor: tab.label, hops: [embedded] });
  verdicts.push(embeddedVerdict(embedded, ctx.stage.probeUrl));
  return verdicts;
}

export const checks: Expectation[] = [
  {
    title: 'a framed copy that takes the cookie but never returns it is forgotten',
    hint: 'Find the visitor only by the session cookie, never by address or anything else a request carries.',
    async run(ctx) {
      const preview = ctx.visitor(
        'preview pane (takes cookies, never returns them)',
        'receive-only',
      );
      const name = ctx.name('Ada');
      const { again } = await postNameThenReturn(ctx.url, preview, name);
      return rememberedVerdict(preview.label, again.at(-1), name, 'forgotten');
    },
  },
  {
    title: 'GET /embedded shows the app in a frame from another site',
    hint: 'Serve /embedded with an <iframe> whose src is the app at the other host name: localhost and 127.0.0.1 are different sites.',
    async run(ctx) {
      const tab = ctx.visitor('browser tab (cookie jar)', 'jar');
      const page = (await tab.get(`${ctx.url}/embedded`)).at(-1);
      return embeddedVerdict(page, ctx.url);
    },
  },
];

function embeddedVerdict(page: Hop | undefined, url: string): Verdict {
  const frame = page?.body.match(/<iframe\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]*)/i)?.[1];
  let host: string | undefined;
  try {
    host = frame === undefined ? undefined : new URL(frame, page?.url).hostname;
  } catch {
    host = undefined;
  }
  return {
    label: 'GET /embedded',
    outcome:
      host !== undefined && host !== new URL(url).hostname
        ? 'frames another site'
        : frame !== undefined
          ? 'frames the same site'
          : 'no frame',
    expected: 'frames another site',
    evidence:
      frame !== undefined
        ? `<iframe src="${frame}">`
        : page
          ? `${page.status} ${page.keyLine}`
          : 'no answer',
  };
}
