// Demo server throughput: autocannon in this process, each server in a process of its own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { harness, median, ms, ratio } from './lib.js';

export async function startServer(...args) {
  const kind = args[0];
  const child = spawn(process.execPath, [join(harness, 'demo-server.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await Promise.race([
    once(child.stdout.setEncoding('utf8'), 'data'),
    once(child, 'exit').then(([code]) =>
      Promise.reject(new Error(`${kind} server exited with ${code}`)),
    ),
  ]);
  return {
    url: line.trim(),
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const timeout = (seconds) => AbortSignal.timeout(seconds * 1000);

/** Tells stage 5 a name and returns the session cookie that makes GET / greet by that name. */
export async function sessionCookie(url) {
  const response = await fetch(`${url}/setName`, {
    method: 'POST',
    body: new URLSearchParams({ name: 'Ada' }),
    redirect: 'manual',
    signal: timeout(5),
  });
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (response.status !== 302 || !cookie) throw new Error('stage 5 did not start a session');
  return cookie;
}

async function expectedBody(url, headers) {
  const response = await fetch(url, { headers, signal: timeout(5) });
  return response.text();
}

// autocannon counts latency in whole milliseconds
const p99 = (value) => (value < 1 ? '< 1 ms' : ms(value));

function fire(target, duration) {
  return autocannon({
    url: target.url,
    headers: target.headers,
    connections: 10,
    duration,
    expectBody: target.body,
  });
}

export async function throughput({ rounds, duration }) {
  const kinds = [
    ['session', '`GET /` on stage 5 with a session cookie'],
    ['plain', 'the same stage, its session middleware stepping aside'],
    ['bare', '`node:http` hello world (ceiling)'],
  ];
  const targets = [];
  try {
    for (const [kind, name] of kinds) {
      const server = await startServer(kind);
      targets.push({ kind, name, server, url: server.url, results: [] });
    }
    const session = targets[0];
    session.headers = { cookie: await sessionCookie(session.url) };
    for (const target of targets) target.body = await expectedBody(target.url, target.headers);
    for (const target of targets.slice(0, 2)) {
      if (!target.body.includes('<h1>Ada</h1>')) throw new Error(`${target.kind}: no greeting`);
    }

    for (const target of targets) await fire(target, 1); // warm up the JIT of each server
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const result = await fire(target, duration);
        const bad = result.errors + result.timeouts + result.non2xx + result.mismatches;
        if (bad > 0) throw new Error(`${target.kind}: ${bad} requests failed or answered wrongly`);
        target.results.push(result);
      }
    }
  } finally {
    await Promise.all(targets.map((t) => t.server.stop()));
  }
  const rps = (t) => median(t.results.map((r) => r.requests.average));
  const ceiling = rps(targets.at(-1));
  const rows = targets.map((t) => [
    t.name,
    Math.round(rps(t)).toLocaleString('en'),
    p99(median(t.results.map((r) => r.latency.p99))),
    ratio(rps(t) / ceiling),
  ]);
  return {
    title: 'Demo server throughput',
    header: ['server', 'requests/s', 'p99 latency', 'of the ceiling'],
    rows,
    ratios: Object.fromEntries(targets.map((t) => [t.kind, rps(t) / ceiling])),
    notes: [
      `autocannon 8, 10 connections, ${rounds} rounds of ${duration} s per server after a 1 s warm-up, medians of the rounds. Every response was checked: status 2xx and the exact expected body (for stage 5, the greeting \`<h1>Ada</h1>\` and the panel).`,
      `In the second server every request carries the name already, so express-session (which passes over a request that has a session) does nothing: the difference to the first is the cost of sessions (reading the cookie, checking its signature, the store), ${Math.round((1 - rps(targets[0]) / rps(targets[1])) * 100)}% of the throughput here. The rest of the gap to the ceiling is Express and the page.`,
      'Load generator and server share the 2 cores, so the ceiling is the loopback ceiling of this machine, not of Node. The hello world answers 11 bytes and stage 5 a page of about 4 KB with its panel, which costs the load generator more to read too.',
    ],
  };
}
