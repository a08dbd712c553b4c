import { storedSessions, tellNameThenReturn } from './kit.js';
import type { DemoContext, Verdict } from './types.js';

// Only a visitor that sends the cookie back can be found again.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const goldfish = ctx.visitor('goldfish (no cookie jar)', 'goldfish');
  const grace = ctx.visitor('Grace (cookie jar)', 'jar');
  const linus = ctx.visitor('Linus (cookie jar)', 'jar');
  const verdicts = [
    await tellNameThenReturn(ctx, goldfish, 'Ada', 'forgotten'),
    await tellNameThenReturn(ctx, grace, 'Grace', 'remembered'),
  ];
  // Two visitors at once: each cookie points at its own session.
  const [graceAgain, linusToo] = await Promise.all([
    tellNameThenReturn(ctx, grace, 'Grace', 'remembered'),
    tellNameThenReturn(ctx, linus, 'Linus', 'remembered'),
  ]);
  verdicts.push(
    { ...graceAgain, label: 'Grace, while Linus visits' },
    { ...linusToo, label: 'Linus, while Grace visits' },
  );
  ctx.show({ kind: 'store', entries: await storedSessions(ctx.stage.store) });
  return verdicts;
}
