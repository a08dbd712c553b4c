import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoContext } from './types.js';

/**
 * A folder of the system's temporary folder for one demo (a SQLite file), removed when the demo
 * ends. Removal is retried, as a file may stay busy for a moment (EBUSY and EPERM on Windows,
 * where an antivirus scans a new file), and never fails the lesson: a folder that stays busy is
 * left where the system clears temporary files.
 */
export function demoFolder(ctx: Pick<DemoContext, 'own'>, lesson: number): string {
  const dir = mkdtempSync(join(tmpdir(), `session-tutor-lesson-${lesson}-`));
  ctx.own({ stop: () => removeFolder(dir) });
  return dir;
}

const busy = new Set(['EBUSY', 'EPERM', 'ENOTEMPTY', 'EMFILE', 'ENFILE']);

/** Tries five times in about 1.5 s. */
async function removeFolder(dir: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rm(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if (attempt === attempts || !busy.has((err as NodeJS.ErrnoException).code ?? '')) return;
      await sleep(50 * 2 ** attempt);
    }
  }
}
