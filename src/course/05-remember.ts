import { storedSessions, tellNameThenReturn } from './kit.js';
import type { DemoContext, Verdict } from './types.js';

// Only a visitor that sends the cookie back can be found again.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const goldfish = ctx.visitor('goldfish (no cookie jar)', 'goldfish');
  const grace = ctx.visitor('Grace (cookie jar)', 'jar');
  const linus = ctx.visitor('Linus (cookie jar)', 'jar');
  const forgotten = await tellNameThenReturn(ctx, goldfish, 'Ada', 'forgotten');
  // Two visitors at once: each cookie points at its own session.
  const remembered = await Promise.all([
    tellNameThenReturn(ctx, grace, 'Grace', 'remembered'),
    tellNameThenReturn(ctx, linus, 'Linus', 'remembered'),
  ]);
  ctx.show({ kind: 'store', entries: await storedSessions(ctx.stage.store) });
  return [forgotten, ...remembered];
}
