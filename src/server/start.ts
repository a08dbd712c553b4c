import { once } from 'node:events';
import {
  createServer,
  maxHeaderSize,
  type RequestListener,
  type Server,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';
import type { Store } from 'express-session';
import { UserError } from '../errors.js';
import { ownStageHeader } from '../probe/own-stage.js';
import { notFound, showProblem } from '../stage/error-pages.js';
import { problemPage } from '../stage/pages.js';
import type { StageModule } from '../stage/stage.js';
import { memoryStore } from '../stage/stores/choose.js';
import { chooseSecret } from './tutor-secret.js';
import '../stage/session-data.js';

/** Which stage to run: its number, and how to load its module (a row of the lesson registry). */
export interface StageRef {
  number: number;
  stage: () => Promise<StageModule>;
  /**
   * A second server that runs beside the stage while it runs in the tutor (lesson 12's attack
   * page). `anyPort` is true when the run takes any free port (`--port 0`): then so does it.
   */
  beside?: (stageUrl: string, host: string, anyPort: boolean) => Promise<BesideServer>;
}

export interface BesideServer {
  /** One sentence for the learner: what it is and its address. */
  note: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 0, the default, lets the system pick a free port. */
  port?: number;
  host?: string;
  secret?: string | string[];
  /**
   * Where sessions live; without one, a MemoryStore of the stage's own. A function is called
   * when the app loads: a lazy stage need not load express-session before the first page.
   */
  store?: Store | (() => Promise<Store>);
  /** How long a session lives, for stages that set it (lesson 7 on). */
  maxAge?: number;
  /**
   * Resolve once the port is taken, and load the app on the first request or on `ready()`:
   * a lesson's first page shows the address without waiting for Express (about 100 ms to load).
   */
  lazy?: boolean;
}

export interface RunningStage extends ListeningApp {
  number: number;
  /** The stage it runs, to start another copy of it. */
  ref: StageRef;
  /** Where its sessions live, once its app is loaded (`ready()`). */
  readonly store: Store;
}

/** Starts a stage and resolves once it is listening; the caller owns stopping it. */
export async function startStage(ref: StageRef, options: StartOptions = {}): Promise<RunningStage> {
  const secret = options.secret ?? chooseSecret().secret;
  let store: Store | undefined;
  // express-session listens for 'connect' and 'disconnect' on the store of every app it serves;
  // a host's store outlives many apps, so what an app added is taken off when it stops
  const added: StoreListener[] = [];
  const app = async () => {
    const [{ createApp }, sessions] = await Promise.all([ref.stage(), openSessions(options.store)]);
    store = sessions;
    const before = storeListeners(sessions);
    // a stage that refuses its secret (stage 11 in production) throws a Refusal: a setting to fix
    try {
      const stageApp = createApp({ secret, store: sessions, maxAge: options.maxAge });
      // the tutor's own stage says so, so `check` never takes it for the learner's server; `next`
      // goes on, so what the stage cannot answer reaches the tutor's 404 and error pages
      const named: RequestHandler = (req, res, next) => {
        res.setHeader(ownStageHeader, String(ref.number));
        stageApp(req, res, next);
      };
      return named as unknown as RequestListener;
    } finally {
      added.push(...storeListeners(sessions).filter(([, l]) => !before.some(([, b]) => b === l)));
    }
  };
  const listening = await listenLazily(app, options);
  const stop = async () => {
    await listening.stop();
    for (const [event, listener] of added.splice(0)) store?.off(event, listener);
  };
  if (!options.lazy) await readyOrStop({ ...listening, stop });
  return {
    number: ref.number,
    ref,
    ...listening,
    stop,
    get store() {
      if (!store)
        throw new Error(`Stage ${ref.number}'s app is not loaded yet: await ready() first.`);
      return store;
    },
  };
}

function openSessions(given: StartOptions['store']): Promise<Store> {
  if (typeof given === 'function') return given();
  return given ? Promise.resolve(given) : memoryStore();
}

type StoreListener = [event: string, listener: (...args: unknown[]) => void];

function storeListeners(store: Store): StoreListener[] {
  return ['connect', 'disconnect'].flatMap((event) =>
    store.listeners(event).map((l): StoreListener => [event, l as StoreListener[1]]),
  );
}

export interface ListeningApp {
  port: number;
  host: string;
  /** The address to open in a browser. */
  url: string;
  /** The same server by IP address, for the probe: no name lookup, no IPv6 surprise. */
  probeUrl: string;
  /** Resolves once the app is loaded (at once, unless started lazily); rejects if it cannot load. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

interface ListenOptions {
  port?: number;
  host?: string;
}

/** Serves an app, with the tutor's 404 and error pages, once it is listening; the caller stops it. */
export async function listenApp(
  inner: RequestListener,
  options: ListenOptions = {},
): Promise<ListeningApp> {
  return readyOrStop(await listenLazily(async () => inner, options));
}

async function readyOrStop(listening: ListeningApp): Promise<ListeningApp> {
  try {
    await listening.ready();
    return listening;
  } catch (err) {
    await listening.stop();
    throw err;
  }
}

/** Takes the port, then loads the app, with Express and the tutor's 404 and error pages around it,
 * on the first request or on `ready()`. */
async function listenLazily(
  loadInner: () => Promise<RequestListener>,
  options: ListenOptions,
): Promise<ListeningApp> {
  const { port = 0, host = '127.0.0.1' } = options;
  let app: Promise<RequestListener> | undefined;
  const loadApp = () => {
    app ??= withErrorPages(loadInner);
    return app;
  };
  const servers = await listenOnAll(
    () => {
      const server = createServer((req, res) => {
        loadApp().then(
          (handle) => handle(req, res),
          (err) => {
            console.error(err);
            res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
            res.end(problemPage(500, 'The demo server could not be loaded.'));
          },
        );
      });
      server.on('clientError', answerUnreadableRequest);
      return server;
    },
    port,
    host,
  );

  const actualPort = (servers[0].address() as AddressInfo).port;
  const shownHost = announcedAsLocalhost.has(host) ? 'localhost' : host;
  const probeHost = host === 'localhost' || host === '0.0.0.0' ? '127.0.0.1' : host;
  let stopping: Promise<void> | undefined;
  return {
    port: actualPort,
    host,
    url: `http://${shownHost}:${actualPort}`,
    probeUrl: `http://${probeHost === '::' ? '[::1]' : probeHost}:${actualPort}`,
    async ready() {
      await loadApp();
    },
    stop() {
      stopping ??= closeAll(servers);
      return stopping;
    },
  };
}

async function withErrorPages(loadInner: () => Promise<RequestListener>): Promise<RequestListener> {
  const [{ default: express }, inner] = await Promise.all([import('express'), loadInner()]);
  const app = express();
  app.use(inner as RequestHandler);
  app.use(notFound);
  app.use(showProblem);
  return app;
}

/**
 * Node answers a request it cannot even parse with a bare status line; answer with a page
 * that says what was wrong instead, as the app does for everything else.
 */
function answerUnreadableRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, problem]: [number, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          `The request headers are larger than ${maxHeaderSize / 1024} KB: is the Cookie header too big? Clear this site's cookies.`,
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive.']
        : [400, 'The request is not valid HTTP.'];
  const body = problemPage(status, problem);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/html; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The hosts shown to the learner as `localhost`: the browser may reach them over IPv4 or IPv6. */
const announcedAsLocalhost = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::']);

/**
 * Where to listen for `host`. A browser that opens http://localhost may try ::1 first (the usual
 * order on macOS and Windows), so where the tutor announces `localhost` it listens on [::1] too:
 * otherwise another program on [::1]:PORT would answer the learner instead of the stage.
 * `localhost` itself is both loopback addresses, not whichever one the name resolves to first:
 * the stages' pages link to 127.0.0.1 as "another site" (/embedded, lesson 12's attack page).
 * `::` takes both on most systems already (Node listens on it with `ipv6Only` false).
 */
function addressesFor(host: string): { address: string; optional?: boolean }[] {
  if (host === '127.0.0.1' || host === 'localhost') {
    return [{ address: '127.0.0.1' }, { address: '::1', optional: true }];
  }
  if (host === '0.0.0.0') return [{ address: host }, { address: '::1', optional: true }];
  return [{ address: host }];
}

/** A machine without IPv6 has no ::1 to listen on: the IPv4 address is enough there. */
function ipv6Missing(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT';
}

/**
 * Listens on every address for `host`, on one port for all. With port 0 the first address picks
 * it; if another program holds that port on a later address, a few fresh ports are tried.
 */
async function listenOnAll(
  makeServer: () => Server,
  port: number,
  host: string,
): Promise<Server[]> {
  const [first, ...more] = addressesFor(host);
  for (let attempt = 1; ; attempt++) {
    const servers = [makeServer()];
    let where = first.address;
    let chosen = port;
    try {
      await listenOn(servers[0], port, first.address);
      chosen = (servers[0].address() as AddressInfo).port;
      for (const { address, optional } of more) {
        where = address;
        const server = makeServer();
        try {
          await listenOn(server, chosen, address);
          servers.push(server);
        } catch (err) {
          if (!(optional && ipv6Missing(err as NodeJS.ErrnoException))) throw err;
        }
      }
      return servers;
    } catch (err) {
      await closeAll(servers);
      const busyLater =
        where !== first.address && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port === 0 && busyLater && attempt < 5) continue;
      throw listenProblem(err as NodeJS.ErrnoException, chosen, where === '::1' ? '[::1]' : where);
    }
  }
}

async function listenOn(server: Server, port: number, host: string): Promise<void> {
  server.listen({ port, host });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err)),
  ]);
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  ).then(() => {});
}

function listenProblem(err: NodeJS.ErrnoException, port: number, host: string): Error {
  if (err.code === 'EADDRINUSE') {
    return new PortBusyError(port, host);
  }
  // Windows refuses ports in the ranges it reserves (for Hyper-V, WSL2, Docker) with EACCES,
  // not EADDRINUSE; one reported range is 2919-3018, covering 3000 and 3001:
  // https://github.com/clash-verge-rev/clash-verge-rev/issues/1688
  if (err.code === 'EACCES' && port >= 1024) {
    return new PortReservedError(port, host);
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

/** The port asked for cannot be had: another program listens on it. */
export class PortBusyError extends UserError {
  /** What happened to the port, after "Port N", for a note that says another one is used. */
  readonly reason: string = 'is busy';

  constructor(
    readonly port: number,
    readonly host: string,
    message = `Port ${port} is busy: another program is listening on ${host}:${port}. ` +
      `Pick another with --port ${port + 1}, or --port 0 for any free port.`,
  ) {
    super(message);
    this.name = 'PortBusyError';
  }
}

/** The system refuses the port (EACCES) although it is above 1023: a range it reserves. */
export class PortReservedError extends PortBusyError {
  override readonly reason: string;

  constructor(port: number, host: string, platform: NodeJS.Platform = process.platform) {
    const reason = reservedReason(platform);
    super(
      port,
      host,
      `Port ${port} ${reason}. Pick another with --port, or --port 0 for any free port.`,
    );
    this.reason = reason;
    this.name = 'PortReservedError';
  }
}

function reservedReason(platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? 'is reserved by Windows (`netsh interface ipv4 show excludedportrange protocol=tcp` lists the reserved ranges)'
    : 'is refused by the system (EACCES)';
}
