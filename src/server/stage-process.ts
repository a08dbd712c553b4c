import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { type StoreChoice, storeArgument } from './stores/choose.js';

export interface StageProcess {
  pid: number;
  port: number;
  probeUrl: string;
  /** What the process wrote to stderr so far, such as express-session's warnings. */
  stderr(): string;
  /** Ends the process (SIGTERM, then SIGKILL if it lingers) and resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StageProcessOptions {
  store: StoreChoice;
  /** Becomes SESSION_SECRET: processes that share sessions must share the secret. */
  secret: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const cli = join(packageRoot, 'dist', 'cli', 'main.js');

/**
 * Runs stage N in a separate Node process, as `session-tutor serve N` would, so that it has
 * memory of its own and can really be restarted. Resolves once it listens; the caller stops it.
 * When it refuses to start, rejects with what it wrote to stderr.
 */
export async function startStageProcess(
  number: number,
  options: StageProcessOptions,
): Promise<StageProcess> {
  const { timeoutMs = 15_000 } = options;
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      String(number),
      '--port',
      String(options.port ?? 0),
      '--store',
      storeArgument(options.store),
    ],
    {
      env: { ...process.env, ...options.env, SESSION_SECRET: options.secret, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = once(child, 'exit');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    })();
    return stopping;
  };

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`stage ${number} did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onData = () => {
      const match = stdout.match(/running at http:\/\/[^:\s]+:(\d+)/);
      if (match) {
        finish();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null) => {
      finish();
      reject(new StageRefused(number, code, stderr.replace(/^error:\s*/, '').trim()));
    };
    const finish = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  }).catch(async (err) => {
    await stop();
    throw err;
  });

  return {
    pid: child.pid ?? 0,
    port,
    probeUrl: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    stop,
  };
}

/** The stage process ended before it listened: its own words say why. */
export class StageRefused extends Error {
  constructor(
    readonly stage: number,
    readonly exitCode: number | null,
    readonly said: string,
  ) {
    super(`stage ${stage} exited with code ${exitCode} before listening: ${said || 'no message'}`);
    this.name = 'StageRefused';
  }
}
