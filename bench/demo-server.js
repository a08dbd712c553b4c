// One server for the throughput benchmark, in its own process: `session` is stage 5 as the course
// runs it; `plain` serves the same greeting page with the same Express stack but no session
// middleware; `bare` is a node:http hello world, the ceiling. Prints its URL, runs until SIGTERM.
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

async function plainApp() {
  const { default: express } = await import('express');
  const { notFound, showProblem } = await import('../dist/server/errors.js');
  const { escapeHtml, page } = await import('../dist/server/pages.js');
  // stage 5 with the session replaced by a name that is always there
  const stage = express();
  stage.use(express.urlencoded({ extended: false, limit: '1kb' }));
  stage.get('/', (_req, res) => {
    const name = 'Ada';
    res.send(page(`Hello, ${name}`, `<h1>${escapeHtml(name)}</h1>`));
  });
  const app = express();
  app.use(stage);
  app.use(notFound);
  app.use(showProblem);
  return listen(app);
}

const servers = {
  session: async () => {
    const { startStage } = await import('../dist/server/start.js');
    const stage = await startStage(5, { port: 0 });
    return { url: stage.probeUrl, stop: stage.stop };
  },
  plain: plainApp,
  bare: () => listen((_req, res) => res.end('hello world')),
};

const server = await servers[kind]();
process.once('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});
process.stdout.write(`${server.url}\n`);
