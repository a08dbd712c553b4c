import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemPage } from '../stage/pages.js';

export interface RoundRobin {
  probeUrl: string;
  stop(): Promise<void>;
}

/**
 * The smallest load balancer: each request goes to the next server in turn, whoever sent it.
 * Real ones (nginx, HAProxy, a cloud's) do the same by default.
 */
export async function startRoundRobin(
  targets: { port: number }[],
  timeoutMs = 5000,
): Promise<RoundRobin> {
  let next = 0;
  const server = createServer((req, res) => {
    const target = targets[next];
    next = (next + 1) % targets.length;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        timeout: timeoutMs,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('no answer in time')));
    upstream.on('error', () => {
      if (res.headersSent) return res.destroy();
      res
        .writeHead(502, { 'content-type': 'text/html; charset=utf-8' })
        .end(problemPage(502, `The server on port ${target.port} did not answer.`));
    });
    req.pipe(upstream);
  });
  server.listen({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    probeUrl: `http://127.0.0.1:${port}`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
