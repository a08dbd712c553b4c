import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

/** How a start of the learner's server ended up. */
export type LearnerStart =
  | { state: 'answering' }
  /** It ended before it answered: `code` is its exit code (0 when it simply ran to its end). */
  | { state: 'ended'; code: number | null; signal: NodeJS.Signals | null }
  /** It runs but never took the port within the time allowed. */
  | { state: 'silent' };

export interface LearnerServerOptions {
  /** The learner's project folder: `node server.js` runs there. */
  dir: string;
  port: number;
  /** Extra environment, such as SESSION_SECRET. */
  env: NodeJS.ProcessEnv;
  /** Each line the server writes, on stdout or stderr. */
  onOutput: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called when the running server ends by itself (a crash after it started answering). */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const startTimeoutMs = 15_000;
const stopTimeoutMs = 3_000;

/**
 * The learner's own server, `node server.js` in their folder, run as a child in a process group
 * of its own: stopping it stops whatever it started too. One start at a time; the caller owns
 * it and calls `stop()` on every exit path.
 */
export class LearnerServer {
  private child: ChildProcess | undefined;

  constructor(private readonly options: LearnerServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Stops the running copy, starts a new one and waits until it answers on its port or ends. */
  async restart(): Promise<LearnerStart> {
    await this.stop();
    const { dir, port, env, onOutput, onExit } = this.options;
    const child = spawn(process.execPath, ['server.js'], {
      cwd: dir,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    this.child = child;
    for (const stream of ['stdout', 'stderr'] as const) {
      let rest = '';
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (text: string) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) onOutput(line, stream);
      });
      child[stream]?.on('end', () => {
        if (rest) onOutput(rest, stream);
        rest = '';
      });
    }
    const ended = once(child, 'exit').then(([code, signal]) => ({
      state: 'ended' as const,
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    const answering = waitForPort(port, () => child.exitCode !== null || child.signalCode !== null);
    const result = await Promise.race([ended, answering]);
    if (result.state === 'answering' && this.child === child) {
      // from now on an exit is the server dying under the learner's hands, unless we stop it
      void ended.then(({ code, signal }) => {
        if (this.child === child) {
          this.child = undefined;
          onExit(code, signal);
        }
      });
    }
    if (result.state !== 'answering' && this.child === child) {
      if (result.state === 'silent') await this.stop();
      else this.child = undefined;
    }
    return result;
  }

  /** Stops the server and everything in its process group; resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    const signal = (name: NodeJS.Signals) => {
      try {
        if (process.platform === 'win32') child.kill(name);
        else process.kill(-(child.pid as number), name);
      } catch {
        // it ended between the check and the signal
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** A free port on 127.0.0.1, found by letting the system pick one and giving it back. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Tries to connect every 100 ms until the port accepts, `gaveUp()` says so, or time runs out. */
async function waitForPort(port: number, gaveUp: () => boolean): Promise<LearnerStart> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) return new Promise(() => {}); // the exit wins the race
    if (await accepts(port)) return { state: 'answering' };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { state: 'silent' };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    function finish(ok: boolean) {
      socket.destroy();
      resolve(ok);
    }
  });
}
