import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLesson } from '../src/course/catalog.js';
import { Visitor } from '../src/probe/visitor.js';
import { type RunningStage, type StartOptions, startStage } from '../src/server/start.js';

export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** package.json's bin: the command a learner runs, which hands everything but --version to cliPath. */
export const binPath = fileURLToPath(new URL('../dist/session-tutor.cjs', import.meta.url));

/** A fresh, empty tutor home, so a test never reads or writes the real progress file. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'session-tutor-test-'));
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process with stdin closed, as a learner's script or CI would. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return collectRun(spawnCli(args, env), `session-tutor ${args.join(' ')}`, timeoutMs);
}

/** Gathers a child's output until it ends; one that outlives `timeoutMs` is killed and reported. */
export function collectRun(child: ChildProcess, what: string, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts the built CLI without waiting for it (in `cwd` when given); the caller must end it. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
}

/** Resolves with the first match of `pattern` in the child's stdout, or rejects after `timeoutMs`. */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; saw:\n${seen}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      seen += data;
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
  });
}

/** Runs `body` against stage N on a free port, and always stops the stage afterwards. */
export async function withStage<T>(
  number: number,
  body: (stage: RunningStage) => Promise<T>,
  options: StartOptions = {},
): Promise<T> {
  const stage = await startStage(findLesson(number), { secret: 'a test secret', ...options });
  try {
    return await body(stage);
  } finally {
    await stage.stop();
  }
}

/** Runs `body` with visitors that are always closed afterwards. */
export async function withVisitors<T>(
  habits: ConstructorParameters<typeof Visitor>[1][],
  body: (...visitors: Visitor[]) => Promise<T>,
): Promise<T> {
  const visitors = habits.map((habit, i) => new Visitor(`visitor ${i + 1}`, habit));
  try {
    return await body(...visitors);
  } finally {
    await Promise.all(visitors.map((v) => v.close()));
  }
}

/** A self-signed certificate for one host name, made in `dir` with the openssl command. */
export function selfSignedCertificate(dir: string, host: string): { key: string; cert: string } {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`].concat([
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore', timeout: 20_000 },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}
