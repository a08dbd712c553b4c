import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderStep, waitPattern } from '../src/cli/render.js';

describe('a deliberate wait in a demo', () => {
  it('is drawn as a line that says how long and why, which waitPattern reads back', () => {
    chalk.level = 0;
    const line = renderStep({ kind: 'wait', ms: 2500, why: 'the session expires after 2 s' });
    expect(line).toBe('… waiting 2.5 s: the session expires after 2 s');
    const seconds = [...line.matchAll(waitPattern)].map((m) => Number(m[1]));
    expect(seconds).toEqual([2.5]);
  });

  it('keeps hundredths, so the benchmark subtracts what was really waited', () => {
    chalk.level = 0;
    const lines = [750, 60_000]
      .map((ms) => renderStep({ kind: 'wait', ms, why: 'a pause' }))
      .join('\n');
    expect([...lines.matchAll(waitPattern)].map((m) => Number(m[1]))).toEqual([0.75, 60]);
  });
});
