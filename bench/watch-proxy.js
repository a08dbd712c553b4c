// `watch`'s cost: the same app directly and through the proxy, in the same run. Two apps: stage 5
// with a session, an app like the learner's (the targets are set for it), and a node:http app
// that sets a session cookie on every answer and does nothing else, the worst case for a proxy
// (its own work is all there is). Each server runs in a process of its own; the load generator
// runs here.
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { median, ratio } from './lib.js';
import { sessionCookie, startServer } from './throughput.js';

/** One GET on a kept-alive connection; resolves with its round trip in milliseconds. */
function timeOne(url, agent, headers) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { agent, headers, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
    req.on('error', reject);
    req.end();
  });
}

async function measureApp(kind, { requests, rounds, duration }) {
  const app = await startServer(kind);
  const proxy = await startServer('watch', app.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // stage 5's session cookie is made through the proxy, so the model holds it in its jar
    const headers = kind === 'session' ? { cookie: await sessionCookie(proxy.url) } : {};
    const paths = [
      { url: app.url, times: [], rps: [] },
      { url: proxy.url, times: [], rps: [] },
    ];
    for (let i = 0; i < 200; i++) for (const p of paths) await timeOne(p.url, agent, headers);
    // one request at a time, alternating, so a change of load hits both
    for (let i = 0; i < requests; i++) {
      for (const p of paths) p.times.push(await timeOne(p.url, agent, headers));
    }
    for (let round = 0; round < rounds; round++) {
      for (const p of paths) {
        const result = await autocannon({ url: p.url, headers, connections: 10, duration });
        const bad = result.errors + result.timeouts + result.non2xx;
        if (bad > 0) throw new Error(`${kind} via ${p.url}: ${bad} requests failed`);
        p.rps.push(result.requests.average);
      }
    }
    const [direct, through] = paths.map((p) => ({ latency: median(p.times), rps: median(p.rps) }));
    return {
      direct,
      through,
      added: through.latency - direct.latency,
      share: through.rps / direct.rps,
    };
  } finally {
    agent.destroy();
    await proxy.stop();
    await app.stop();
  }
}

export async function watchProxy(options) {
  const apps = [
    ['session', '`GET /` on stage 5 with a session cookie'],
    ['cookie', '`node:http` app setting a cookie on every answer (worst case)'],
  ];
  const results = [];
  for (const [kind, name] of apps) results.push({ name, ...(await measureApp(kind, options)) });
  const [stage] = results;
  const rows = results.map((r) => [
    r.name,
    `${r.direct.latency.toFixed(2)} ms`,
    `${r.through.latency.toFixed(2)} ms`,
    `${r.added.toFixed(2)} ms`,
    Math.round(r.direct.rps).toLocaleString('en'),
    Math.round(r.through.rps).toLocaleString('en'),
    ratio(r.share),
  ]);
  return {
    title: '`watch` proxy against the app directly',
    header: [
      'app',
      'median latency direct',
      'through `watch`',
      'added',
      'requests/s direct',
      'through `watch`',
      'share',
    ],
    rows,
    added: stage.added,
    share: stage.share,
    notes: [
      `Stage 5: added median latency ${stage.added.toFixed(2)} ms (target ≤ 1 ms): ${stage.added <= 1 ? 'met' : 'MISSED'}; throughput through the proxy ${ratio(stage.share)} of direct (target ≥ 0.50×): ${stage.share >= 0.5 ? 'met' : 'MISSED'}.`,
      `Latency: ${options.requests} GET requests each way on one kept-alive connection, alternating, after 200 warm-up requests. Throughput: autocannon 8, 10 connections, ${options.rounds} rounds of ${options.duration} s each way, medians of the rounds.`,
      'Every exchange is judged (Set-Cookie verdicts, the jar, the Cookie prediction, advice) and serialised as --json does; the terminal output is not measured. App, proxy and load generator share the 2 cores: against an app that does almost nothing, the proxy, which reads and writes every request twice, costs more than the app itself, hence the worst-case row.',
    ],
  };
}
