import { once } from 'node:events';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { CookieModel } from '../probe/cookie-rules.js';
import { adviseOnExchange } from '../probe/session-advice.js';
import type { Exchange } from './exchange.js';
import { liveEvents, livePage } from './watch-page.js';

export interface WatchProxyOptions {
  target: string;
  port?: number;
  host?: string;
  /** How long the app may take to start answering before the browser gets a 504. */
  answerTimeoutMs?: number;
}

export interface WatchProxy {
  port: number;
  /** The address to open in a browser. */
  url: string;
  /** The live page's address. */
  pageUrl: string;
  onExchange(listener: (exchange: Exchange) => void): () => void;
  stop(): Promise<void>;
}

/** The paths the proxy keeps for itself: the live timeline and its event stream. */
export const reservedPath = '/__session-tutor';

// headers that describe one connection, not the message (RFC 9110 §7.6.1)
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authenticate',
  'proxy-authorization',
]);

/**
 * Starts a reverse proxy on loopback in front of `target`. The Host header goes to the app as the
 * browser wrote it, so an app that checks Origin against Host, or builds addresses from Host,
 * answers for the proxy's address. It streams every body through as it
 * comes (gzip and chunked bodies stay as the app wrote them), passes WebSocket upgrades on, and
 * judges every Set-Cookie line and Cookie header with the browser's rules on the way.
 */
export async function startWatchProxy(options: WatchProxyOptions): Promise<WatchProxy> {
  const target = new URL(options.target);
  const secureTarget = target.protocol === 'https:';
  const agent = secureTarget
    ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: false })
    : new Agent({ keepAlive: true });
  const listeners = new Set<(exchange: Exchange) => void>();
  const history: Exchange[] = [];
  const model = new CookieModel();
  let nextId = 1;
  const sockets = new Set<Socket>();
  const answerTimeoutMs = options.answerTimeoutMs ?? 30_000;

  const publish = (exchange: Exchange) => {
    history.push(exchange);
    if (history.length > 200) history.shift();
    for (const listener of listeners) listener(exchange);
  };

  const server: Server = createServer((req, res) => {
    if (req.url === reservedPath || req.url?.startsWith(`${reservedPath}/`)) {
      if (req.url === `${reservedPath}/events`) liveEvents(req, res, history, listeners);
      else livePage(res);
      return;
    }
    forward(req, res);
  });

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const browserHost = req.headers.host ?? `127.0.0.1:${port}`;
    const url = new URL(req.url ?? '/', `http://${browserHost}`);
    const seen = model.request(url, req.method ?? 'GET', req.headers);
    const context = seen.context;
    const exchange: Exchange = {
      id: nextId++,
      url: url.href,
      method: context.method,
      fetch: { site: context.site, topLevel: context.topLevel, guessed: seen.guessed },
      cookieHeader: req.headers.cookie,
      sending: seen.sending,
      otherPartitions: seen.otherPartitions,
      outsideModel: seen.outsideModel,
      setCookies: [],
      dropped: [],
      jar: model.jar,
      advice: [],
    };
    // the browser's header lines as it wrote them (Node passes a flat list through unchanged)
    const headers: string[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      if (!hopByHop.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
    }
    // an HTTP/1.0 request may come without one; the app answers HTTP/1.1, which needs it
    if (req.headers.host === undefined) headers.push('Host', target.host);
    const upstream = (secureTarget ? httpsRequest : httpRequest)({
      host: target.hostname,
      port: target.port || (secureTarget ? 443 : 80),
      method: req.method,
      path: req.url,
      headers,
      agent,
      // read what the app wrote even when Node would refuse to write it (control characters in a
      // Set-Cookie line): the proxy reports such a line and drops it alone
      insecureHTTPParser: true,
    });
    const answerTimer = setTimeout(() => {
      upstream.destroy(new Error(`the app did not answer within ${answerTimeoutMs / 1000} s`));
    }, answerTimeoutMs);
    upstream.on('response', (answer) => {
      clearTimeout(answerTimer);
      exchange.status = answer.statusCode;
      const out: string[] = [];
      // Transfer-Encoding overrides a Content-Length beside it, which a proxy must remove before
      // forwarding (RFC 9112 §6.3): Node then frames the body it passes on by itself
      const framed = answer.headers['transfer-encoding'] !== undefined;
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const name = answer.rawHeaders[i];
        let value = answer.rawHeaders[i + 1];
        const lower = name.toLowerCase();
        if (hopByHop.has(lower) || (framed && lower === 'content-length')) continue;
        if (lower === 'set-cookie') {
          exchange.setCookies.push(model.receive(value, context));
        }
        if (lower === 'location') {
          // a browser routed to the proxy under the app's own address (watch --browser) follows
          // the app's redirects as written
          if ((url.port || '80') === String(port))
            value = sameAppLocation(value, target, browserHost);
          exchange.location = value;
        }
        try {
          validateHeaderName(name);
          validateHeaderValue(name, value);
          out.push(name, value);
        } catch (err) {
          exchange.dropped.push({
            line: `${name}: ${value}`,
            why: `Node refuses to write it (${(err as NodeJS.ErrnoException).code}), so the browser never gets it`,
          });
        }
      }
      exchange.jar = model.jar;
      exchange.cors = {
        origin: req.headers.origin,
        allowOrigin: headerText(answer.headers['access-control-allow-origin']),
        allowCredentials: headerText(answer.headers['access-control-allow-credentials']),
      };
      exchange.advice = adviseOnExchange(exchange, history);
      publish(exchange);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      // a browser that goes away stops the app's answer too
      res.on('close', () => answer.destroy());
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(answerTimer);
      if (exchange.status !== undefined) {
        // the app broke off in the middle of the body: the browser sees it broken off too
        res.destroy();
        return;
      }
      exchange.problem = upstreamProblem(err, target);
      exchange.jar = model.jar;
      publish(exchange);
      if (res.headersSent) return res.destroy();
      const timedOut = err.message.startsWith('the app did not answer');
      res.writeHead(timedOut ? 504 : 502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`session-tutor watch: ${exchange.problem}\n`);
    });
    // a request without a body (most GETs) is sent at once; one with a body streams through
    if (
      req.headers['content-length'] === undefined &&
      req.headers['transfer-encoding'] === undefined
    ) {
      upstream.end();
      req.resume();
    } else req.pipe(upstream);
    req.on('error', () => upstream.destroy());
  }

  // WebSocket and other upgrades: the request head goes to the app, then bytes flow both ways
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const port = Number(target.port || (secureTarget ? 443 : 80));
    const app = secureTarget
      ? tlsConnect({
          host: target.hostname,
          port,
          rejectUnauthorized: false,
          servername: target.hostname,
        })
      : netConnect({ host: target.hostname, port });
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    app.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) app.write(head);
    app.pipe(client).pipe(app);
    const end = () => {
      app.destroy();
      client.destroy();
    };
    app.on('error', end);
    client.on('error', end);
    app.on('close', end);
    client.on('close', end);
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err)),
  ]);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;

  return {
    port,
    url: `${base}/`,
    pageUrl: `${base}${reservedPath}/`,
    onExchange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      listeners.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}

/** A redirect to the app's own address goes back through the proxy, so the browser stays in view. */
function sameAppLocation(location: string, target: URL, browserHost: string): string {
  try {
    const to = new URL(location, target);
    if (to.origin !== target.origin) return location;
    return `http://${browserHost}${to.pathname}${to.search}${to.hash}`;
  } catch {
    return location;
  }
}

function upstreamProblem(err: NodeJS.ErrnoException, target: URL): string {
  if (err.code === 'ECONNREFUSED') {
    return `nothing answers at ${target.origin}: start your app there, then reload.`;
  }
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    return `${target.origin} closed the connection without answering.`;
  }
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    return `the name ${target.hostname} does not resolve: check the address.`;
  }
  if (err.code?.startsWith('HPE_'))
    return `${target.origin} answered something that is not HTTP (${err.code}).`;
  return `${err.message}.`;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
