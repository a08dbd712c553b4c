// One server for the throughput benchmark, in its own process: `session` is stage 5 as the course
// runs it; `plain` is the same stage whose session middleware steps aside, because every request
// already carries the name; `bare` is a node:http hello world, the ceiling. Prints its URL, runs
// until SIGTERM. Bundled from source by buildHarness() in lib.js, which runs it from .bench-build/.
import { once } from 'node:events';
import { createServer } from 'node:http';

const kind = process.argv[2];

async function listen(handler) {
  const server = createServer(handler).listen({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Stage 5's own code with its session middleware skipped: the name is already on the request. */
async function plainApp() {
  const { listenApp } = await import('../src/server/start.js');
  const { findLesson } = await import('../src/course/catalog.js');
  const { createApp } = await findLesson(5).stage();
  const stage = createApp({ secret: 'unused', store: undefined });
  // express-session passes over a request that already has a session (its "self-awareness" check)
  return listenApp((req, res) => {
    req.session = { myName: 'Ada' };
    stage(req, res);
  });
}

const servers = {
  session: async () => {
    const { startStage } = await import('../src/server/start.js');
    const { findLesson } = await import('../src/course/catalog.js');
    const stage = await startStage(findLesson(5), { port: 0 });
    return { url: stage.probeUrl, stop: stage.stop };
  },
  plain: async () => {
    const app = await plainApp();
    return { url: app.probeUrl, stop: app.stop };
  },
  bare: () => listen((_req, res) => res.end('hello world')),
  // an app that sets a session cookie on every answer, for `watch` to judge
  cookie: () =>
    listen((_req, res) => {
      res.setHeader('set-cookie', 'sid=s%3Aabc.def; Path=/; HttpOnly; SameSite=Lax');
      res.end('hello world');
    }),
  // `watch`'s proxy in front of the address given after the kind, every exchange judged and
  // serialised as --json would, into nothing (the terminal is not what is measured)
  watch: async () => {
    const { startWatchProxy } = await import('../src/server/watch-proxy.js');
    const proxy = await startWatchProxy({ target: process.argv[3] });
    proxy.onExchange((exchange) => JSON.stringify(exchange));
    return { url: proxy.url.replace(/\/$/, ''), stop: proxy.stop };
  },
};

const server = await servers[kind]();
process.once('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});
process.stdout.write(`${server.url}\n`);
