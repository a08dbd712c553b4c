import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { listeningPorts, processesWithEnv } from './leftovers.js';

// Marks every process this test run starts (workers and the CLIs they spawn inherit the
// environment), so the end of the run can find any that outlived it, even if orphaned.
const marker = 'SESSION_TUTOR_TEST_RUN';

function describe(pid: number): string {
  try {
    return `${pid} (${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()})`;
  } catch {
    return String(pid);
  }
}

export function setup(): () => Promise<void> {
  const run = randomUUID();
  process.env[marker] = run;
  return async () => {
    // a process told to stop a moment ago (a tmux server, a browser) may still be on its way out
    let left = processesWithEnv(marker, run);
    for (let tries = 0; left.length > 0 && tries < 30; tries++) {
      await sleep(100);
      left = processesWithEnv(marker, run);
    }
    if (left.length === 0) return;
    const ports = left.flatMap(listeningPorts);
    throw new Error(
      `the test run left ${left.length} process(es) running: ${left.map(describe).join(', ')}` +
        (ports.length ? `, listening on ports ${ports.join(', ')}` : ''),
    );
  };
}
