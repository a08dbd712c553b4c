import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tutorHome } from '../home.js';
import { onShutdown } from './shutdown.js';

/**
 * Marks a walk (`start`, `lesson`) as running, in the tutor's folder, and tells whether another
 * copy's walk is running too: two copies take two ports, and the learner should know why.
 * Returns a note naming the other copy, or undefined. A folder that cannot be written is no
 * reason to stop: the progress file has already warned about it.
 */
export function markRunning(home = tutorHome()): string | undefined {
  const file = join(home, 'running.json');
  let other: number | undefined;
  try {
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    if (pid !== process.pid && alive(pid)) other = pid;
  } catch {
    // no other copy marked itself running, or its mark is unreadable: nothing to say
  }
  if (other !== undefined)
    return `another session-tutor is running as process ${other}: press q there to quit it`;
  // the first copy keeps its mark: a third copy still hears of it after the second one ends
  try {
    writeFileSync(file, `${JSON.stringify({ pid: process.pid })}\n`);
    onShutdown(() => {
      // the mark is removed only while it is still this copy's
      try {
        if (JSON.parse(readFileSync(file, 'utf8')).pid === process.pid) rmSync(file);
      } catch {
        // already gone
      }
    });
  } catch {
    // an unusable folder: see above
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
