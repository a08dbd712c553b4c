import { tellNameThenReturn } from './kit.js';
import type { DemoContext, Verdict } from './types.js';

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
  const frame = embedded.body.match(/<iframe[^>]*src="([^"]*)"/i)?.[1];
  verdicts.push({
    label: 'GET /embedded',
    outcome:
      frame && new URL(frame).hostname !== new URL(ctx.stage.probeUrl).hostname
        ? 'frames another site'
        : 'no cross-site frame',
    expected: 'frames another site',
    evidence: frame ? `<iframe src="${frame}">` : `${embedded.status} ${embedded.keyLine}`,
  });
  return verdicts;
}
