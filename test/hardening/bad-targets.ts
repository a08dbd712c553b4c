import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

// Servers that misbehave on purpose, for `probe` and `check` to meet. Each one runs on a free
// port of 127.0.0.1 until `close()`, which also ends every connection it holds.

export interface BadTarget {
  url: string;
  close(): Promise<void>;
}

async function serve(server: Server | HttpServer, sockets: Set<Socket>, path = '/') {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections and never says a word. */
export function silent(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  return serve(
    createServer(() => {}),
    sockets,
  );
}

/** Answers one byte at a time, a little too slowly, with headers that never end. */
export function trickling(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const text = `HTTP/1.1 200 OK\r\nX-Slow: ${'z'.repeat(100_000)}`;
    let at = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer);
      socket.write(text[at++ % text.length]);
    }, 100);
    socket.on('close', () => clearInterval(timer));
    socket.on('error', () => clearInterval(timer));
  });
  return serve(server, sockets);
}

/** Speaks another protocol on connect (as an SSH or mail server would). */
export function notHttp(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
  });
  return serve(server, sockets);
}

/** Redirects every request to the next page, for ever. */
export function redirectLoop(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createHttpServer((_req, res) => {
    res.writeHead(302, { location: `/loop/${++n}` }).end();
  });
  return serve(server, sockets);
}

/** Sends a 50 MB page, as fast as the reader takes it. */
export function huge(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const total = 50 * 1024 * 1024;
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': total });
    let sent = 0;
    const more = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    res.on('error', () => {});
    more();
  });
  return serve(server, sockets);
}

/** Sets 200 cookies on every response. */
export function cookieStorm(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    const cookies = Array.from({ length: 200 }, (_, i) => `c${i}=${'v'.repeat(20)}; Path=/`);
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': cookies });
    res.end('<h1>Cookies!</h1>');
  });
  return serve(server, sockets);
}

/** A port where nothing listens (it was free a moment ago). */
export async function refused(): Promise<BadTarget> {
  const sockets = new Set<Socket>();
  const target = await serve(
    createServer(() => {}),
    sockets,
  );
  await target.close();
  return { url: target.url, close: async () => {} };
}
