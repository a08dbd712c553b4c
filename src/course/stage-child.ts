/**
 * The program a stage process runs (forked by stage-process.ts): it starts one stage, reports
 * where it listens, or why it refused or failed, to its parent over IPC (a StageChildReport), and
 * stops on a `stop` message, on SIGTERM or SIGINT, or when its parent goes away.
 */
import { PortBusyError, startStage } from '../server/start.js';
import { Refusal } from '../stage/refusal.js';
import { openStore } from '../stage/stores/choose.js';
import { findLesson } from './catalog.js';
import type { StageChildReport, StageChildRequest } from './stage-process.js';

const send = (report: StageChildReport) =>
  new Promise<void>((resolve) => {
    if (!process.send) resolve();
    else process.send(report, () => resolve());
  });

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as StageChildRequest;
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const step of stops.reverse()) await step().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  try {
    const opened = await openStore(request.store);
    stops.push(() => opened.close());
    // the secret comes from SESSION_SECRET, which the parent sets: processes that share
    // sessions must share their secret
    const stage = await startStage(findLesson(request.number), {
      port: request.port,
      host: request.host,
      store: opened.store,
    });
    stops.push(() => stage.stop());
    await send({ kind: 'listening', port: stage.port, url: stage.url, probeUrl: stage.probeUrl });
  } catch (err) {
    await send(
      err instanceof Refusal
        ? {
            kind: 'refused',
            message: err.message,
            exitCode: err.exitCode,
            portReason: err instanceof PortBusyError ? err.reason : undefined,
          }
        : { kind: 'failed', message: (err as Error).stack ?? String(err) },
    );
    for (const step of stops.reverse()) await step().catch(() => {});
    process.exit(1);
  }
}

void main();
