import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session, { type Store } from 'express-session';
import { UserError } from '../errors.js';
import { notFound, showProblem } from './errors.js';
import { chooseSecret } from './secret.js';
import { findStage, loadStage } from './stages.js';
import './session-data.js';

export interface StartOptions {
  /** 0, the default, lets the system pick a free port. */
  port?: number;
  host?: string;
  secret?: string | string[];
  store?: Store;
  /** How long a session lives, for stages that set it (lesson 7 on). */
  maxAge?: number;
}

export interface RunningStage extends ListeningApp {
  number: number;
  store: Store;
}

/** Starts stage N's app and resolves once it is listening; the caller owns stopping it. */
export async function startStage(
  number: number,
  options: StartOptions = {},
): Promise<RunningStage> {
  const stage = findStage(number);
  const { createApp } = await loadStage(stage);
  const store = options.store ?? new session.MemoryStore();
  const secret = options.secret ?? chooseSecret().secret;
  const app = createApp({ secret, store, maxAge: options.maxAge });
  return { number, store, ...(await listenApp(app, options)) };
}

export interface ListeningApp {
  port: number;
  host: string;
  /** The address to open in a browser. */
  url: string;
  /** The same server by IP address, for the probe: no name lookup, no IPv6 surprise. */
  probeUrl: string;
  stop(): Promise<void>;
}

/** Serves an app, with the tutor's 404 and error pages, once it is listening; the caller stops it. */
export async function listenApp(
  inner: RequestListener,
  options: { port?: number; host?: string } = {},
): Promise<ListeningApp> {
  const { port = 0, host = '127.0.0.1' } = options;
  const app = express();
  app.use(inner as express.RequestHandler);
  app.use(notFound);
  app.use(showProblem);

  const server = createServer(app);
  server.listen({ port, host });
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => Promise.reject(err)),
    ]);
  } catch (err) {
    server.close();
    throw listenProblem(err as NodeJS.ErrnoException, port, host);
  }

  const actualPort = (server.address() as AddressInfo).port;
  const shownHost =
    host === '127.0.0.1' || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  let stopping: Promise<void> | undefined;
  return {
    port: actualPort,
    host,
    url: `http://${shownHost}:${actualPort}`,
    probeUrl: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host}:${actualPort}`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function listenProblem(err: NodeJS.ErrnoException, port: number, host: string): Error {
  if (err.code === 'EADDRINUSE') {
    return new UserError(
      `Port ${port} is busy: another program is listening on ${host}:${port}. ` +
        `Pick another with --port ${port + 1}, or --port 0 for any free port.`,
    );
  }
  if (err.code === 'EACCES') {
    return new UserError(
      `Port ${port} needs administrator rights on this system: pick one above 1023, such as --port 3000.`,
    );
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return new UserError(
      `Cannot listen on host ${host}: it is not an address of this machine. Try --host 127.0.0.1.`,
    );
  }
  return err;
}
