import { randomUUID } from 'node:crypto';
import { listeningPorts, processesWithEnv } from './leftovers.js';

// Marks every process this test run starts (workers and the CLIs they spawn inherit the
// environment), so the end of the run can find any that outlived it, even if orphaned.
const marker = 'SESSION_TUTOR_TEST_RUN';

export function setup(): () => void {
  const run = randomUUID();
  process.env[marker] = run;
  return () => {
    const left = processesWithEnv(marker, run);
    if (left.length === 0) return;
    const ports = left.flatMap(listeningPorts);
    throw new Error(
      `the test run left ${left.length} process(es) running (pids ${left.join(', ')})` +
        (ports.length ? `, listening on ports ${ports.join(', ')}` : ''),
    );
  };
}
