import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes the folder `dir` and any parents it lacks. Not `mkdirSync(dir, { recursive: true })`: on
 * Node 20 that never returns for a folder that cannot exist, such as /proc/nope (mkdir says
 * ENOENT while the parent exists, so it makes the parent and tries again, forever, in one
 * synchronous loop that not even SIGTERM interrupts). Here a second ENOENT is thrown.
 */
export function makeFolder(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    makeFolder(dirname(dir));
    mkdirSync(dir);
  }
}
