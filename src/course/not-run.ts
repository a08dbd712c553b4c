import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import type { Verdict } from './types.js';

/**
 * A half of a demo that could not run on this machine: a verdict that says so, and why, instead
 * of one that claims an outcome nobody observed. `start` counts it apart in its summary.
 */
export function notRun(label: string, why: string, command: string): Verdict {
  return {
    label,
    outcome: 'not run',
    expected: 'not run',
    evidence: `${why}. To run it on Node 24, from npm's node package: ${command}`,
    skipped: `${label}: ${why}`,
  };
}

/** The exact command that runs lesson N of this very tutor under Node 24 (npm's `node` package). */
export function lessonOnNode24(lesson: number): string {
  const { bin } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const entry = join(packageRoot, Object.values(bin)[0]);
  const quoted = /^[\w./@:-]+$/.test(entry) ? entry : `'${entry.replaceAll("'", "'\\''")}'`;
  return `npx -y node@24 ${quoted} lesson ${lesson}`;
}
