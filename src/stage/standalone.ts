import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Store } from 'express-session';
import { notFound, showProblem } from './error-pages.js';
import { Refusal } from './refusal.js';
import { secretGenerator, splitSecrets } from './secret.js';
import type { StageOptions } from './stage.js';

// An ejected stage runs with this file what `session-tutor serve` does around every stage: the
// port, the secret, where sessions live, the 404 and error pages, and one clear sentence for a
// setting to fix instead of a stack trace.

export interface Standalone {
  /** The stage's number, for what it says. */
  stage: number;
  /** False for a stage without sessions (stage 1): it signs nothing, so needs no secret. */
  signs: boolean;
  /** A stage that chooses its store (9 and 10) passes the chooser from stores/choose.js. */
  chooseStore?: (value: string, folder: string) => Promise<{ store: Store }>;
}

/** Starts `createApp` as the tutor would, on loopback; on a setting to fix, says it and exits. */
export async function runStandalone(
  createApp: (options: StageOptions) => RequestListener,
  standalone: Standalone,
  args = process.argv.slice(2),
  env = process.env,
): Promise<void> {
  try {
    await start(createApp, standalone, args, env);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(err.exitCode);
  }
}

async function start(
  createApp: (options: StageOptions) => RequestListener,
  { stage, signs, chooseStore }: Standalone,
  args: string[],
  env: NodeJS.ProcessEnv,
) {
  const given = readArguments(args, chooseStore !== undefined);
  const port = given.port ?? portNumber(env.PORT ?? '3000', 'PORT');
  const secrets = splitSecrets(env.SESSION_SECRET);
  // the stage judges its secret first (stage 11 on refuses a weak one in production, as it teaches)
  const secret =
    secrets.length === 0
      ? randomBytes(32).toString('hex')
      : secrets.length === 1
        ? secrets[0]
        : secrets;
  const sessions = chooseStore
    ? await chooseStore(given.store ?? env.STORE ?? 'memory', process.cwd())
    : undefined;
  const app = express();
  app.use(createApp({ secret, store: sessions?.store }));
  app.use(notFound);
  app.use(showProblem);
  if (signs && secrets.length === 0) {
    throw new Refusal(
      'SESSION_SECRET is not set: the session cookie cannot be signed without a secret. ' +
        `Set it to the output of \`${secretGenerator}\` (README.md shows how in bash, PowerShell and cmd), then start again.`,
      1,
    );
  }
  const listening = await listenOnLoopback(app, port);
  console.log(`Stage ${stage} is running at http://localhost:${listening}`);
}

/** `--port N`, and `--store STORE` for a stage that chooses its store; nothing else. */
function readArguments(args: string[], takesStore: boolean): { port?: number; store?: string } {
  const known = takesStore ? '--port N and --store STORE' : '--port N';
  const given: { port?: number; store?: string } = {};
  for (let i = 0; i < args.length; i += 1) {
    const equals = args[i].indexOf('=');
    const flag = equals === -1 ? args[i] : args[i].slice(0, equals);
    const inline = equals === -1 ? undefined : args[i].slice(equals + 1);
    const value = inline ?? args[i + 1];
    if (inline === undefined) i += 1;
    if (flag === '--port' && value !== undefined) given.port = portNumber(value, '--port');
    else if (flag === '--store' && takesStore && value !== undefined) given.store = value;
    else
      throw new Refusal(
        `This server takes ${known} only, so "${args.join(' ')}" is not understood.${lostFlag(args, takesStore)}`,
      );
  }
  return given;
}

/**
 * A value without its flag, as `npm start -- --port 3001` arrives through PowerShell's npm.ps1
 * before npm's fix (github.com/npm/cli/issues/4903, fixed by npm/cli#8278): the `--` is dropped,
 * npm takes `--port` as its own setting and passes only `3001`. The variable gets through. Each
 * command stands on a line of its own, whole and without a full stop, ready to copy.
 */
function lostFlag(args: string[], takesStore: boolean): string {
  const [value] = args;
  if (args.length !== 1 || value.startsWith('-')) return '';
  const variable = /^\d+$/.test(value) ? 'PORT' : takesStore ? 'STORE' : undefined;
  if (!variable) return '';
  return `\nIf you typed this in PowerShell, npm dropped the --:\n  npm start -- --${variable.toLowerCase()} ${value}\nSet the variable instead:\n  $env:${variable} = '${value}'; npm start`;
}

function portNumber(text: string, from: string): number {
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Refusal(
      `${from} is "${text}", which is not a port: give a whole number from 1 to 65535.`,
    );
  }
  return port;
}

/**
 * Listens on 127.0.0.1 and, where this machine has IPv6, on [::1] with the same port: the
 * address `localhost` can mean either, and no other machine can reach this one.
 */
async function listenOnLoopback(app: RequestListener, wanted: number): Promise<number> {
  const v4 = await listen(createServer(app), wanted, '127.0.0.1');
  const { port } = v4.address() as AddressInfo;
  await listen(createServer(app), port, '::1').catch((err: NodeJS.ErrnoException) => {
    // no IPv6 on this machine: 127.0.0.1 is enough
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT') return;
    v4.close();
    throw err instanceof Refusal
      ? err
      : new Refusal(`Cannot listen on [::1]:${port}: ${err.message}.`);
  });
  return port;
}

async function listen(server: Server, port: number, host: string): Promise<Server> {
  server.listen({ port, host });
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => Promise.reject(err)),
    ]);
    return server;
  } catch (err) {
    const { code } = err as NodeJS.ErrnoException;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new Refusal(
        `Port ${port} is ${code === 'EADDRINUSE' ? 'busy: another program is listening on it' : 'not open to this user'}. ` +
          'Pick another with npm start -- --port 3001, or --port 0 for any free port.',
        1,
      );
    }
    throw err;
  }
}
