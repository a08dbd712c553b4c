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
    evidence: `${why}. To run it on Node 24, from npm's node package:\n${command}`,
    skipped: `${label}: ${why}`,
  };
}

/** The exact command that runs lesson N of this very tutor under Node 24 (npm's `node` package). */
export function lessonOnNode24(lesson: number): string {
  const { bin } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  return `npx -y node@24 ${quotedPath(join(packageRoot, Object.values(bin)[0]))} lesson ${lesson}`;
}

/**
 * A path as one argument, quoted so that the learner's shell reads it whole. Double quotes work
 * in bash, zsh, PowerShell and cmd alike (cmd knows no other quotes), and a Windows path holds no
 * `"`. Elsewhere, a path with a character that double quotes leave special in bash or PowerShell
 * (`$`, a backquote, `"`, `\`, `!`) is single-quoted, as POSIX shells read it.
 */
export function quotedPath(path: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[\w./@:-]+$/.test(path)) return path;
  if (platform === 'win32' || !/[$`"\\!]/.test(path)) return `"${path}"`;
  return `'${path.replaceAll("'", "'\\''")}'`;
}
