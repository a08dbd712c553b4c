import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import type { StoreChoice } from '../stage/stores/choose.js';

/** What the parent asks the child (stage-child.ts) for, in its first argument, as JSON. */
export interface StageChildRequest {
  number: number;
  port: number;
  host: string;
  store: StoreChoice;
}

/** What the child tells its parent, once, over IPC. */
export type StageChildReport =
  | { kind: 'listening'; port: number; url: string; probeUrl: string }
  | { kind: 'refused'; message: string; exitCode: number; portReason?: string }
  | { kind: 'failed'; message: string };

export interface StageProcess {
  pid: number;
  port: number;
  /** The address to open in a browser. */
  url: string;
  /** The same server by IP address, for the probe. */
  probeUrl: string;
  /** What the process wrote to stderr so far, such as express-session's warnings. */
  stderr(): string;
  /** Resolves when the process ends, for whatever reason (stopped, or killed from outside). */
  exited: Promise<void>;
  /** Ends the process (a `stop` message, then SIGKILL if it lingers) and resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StageProcessOptions {
  store: StoreChoice;
  /**
   * Becomes SESSION_SECRET (several, newest first, joined by commas): processes that share
   * sessions must share the secret. Without it the process reads SESSION_SECRET as `serve` does.
   */
  secret?: string;
  port?: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

// the bundle's own entry point for stage processes (scripts/build.js), also when this module runs
// from source in the tests: Node runs it without a TypeScript loader
const child = join(packageRoot, 'dist', 'stage-child.js');

/**
 * Runs stage N in a Node process of its own, so that it has memory of its own and can really be
 * restarted. Resolves once it listens; the caller stops it. When it refuses to start (a usage
 * mistake, such as a weak secret in production), rejects with a StageRefused saying why.
 */
export async function startStageProcess(
  number: number,
  options: StageProcessOptions,
): Promise<StageProcess> {
  const { timeoutMs = 15_000 } = options;
  const request: StageChildRequest = {
    number,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    store: options.store,
  };
  const proc = fork(child, [JSON.stringify(request)], {
    env: {
      ...process.env,
      ...options.env,
      ...(options.secret === undefined ? {} : { SESSION_SECRET: options.secret }),
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    execArgv: [],
  });
  let stderr = '';
  proc.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = once(proc, 'exit').then(() => {});
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // the process may be ending by itself (it refused to start): a channel that closes under
      // the message is no error, a signal does the same job
      if (proc.connected) proc.send('stop', (err) => err && proc.kill('SIGTERM'));
      else proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    })();
    return stopping;
  };

  const report = await new Promise<StageChildReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`stage ${number} did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (message: StageChildReport) => {
      finish();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      finish();
      reject(new Error(`stage ${number} exited with code ${code} before listening: ${stderr}`));
    };
    const finish = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  }).catch(async (err) => {
    await stop();
    throw err;
  });

  if (report.kind !== 'listening') {
    await stop();
    if (report.kind === 'refused') {
      throw new StageRefused(number, report.message, report.exitCode, report.portReason);
    }
    throw new Error(`stage ${number} could not start: ${report.message}`);
  }
  return {
    pid: proc.pid ?? 0,
    port: report.port,
    url: report.url,
    probeUrl: report.probeUrl,
    stderr: () => stderr,
    exited,
    stop,
  };
}

/** The stage process refused to start, for a reason the learner can fix: its own words say why. */
export class StageRefused extends Error {
  constructor(
    readonly stage: number,
    readonly said: string,
    readonly exitCode: number,
    /** When the port could not be had: why, after "Port N" ("is busy"). */
    readonly portReason?: string,
  ) {
    super(`stage ${stage} refused to start: ${said}`);
    this.name = 'StageRefused';
  }
}
