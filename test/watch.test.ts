import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, get, type IncomingMessage, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exchangeLines } from '../src/cli/render-watch.js';
import { parseSetCookie } from '../src/probe/cookie-rules.js';
import type { Exchange } from '../src/server/exchange.js';
import { reservedPath, startWatchProxy, type WatchProxy } from '../src/server/watch-proxy.js';
import { chromiumPath } from './browser.js';
import { startCookieServer } from './fixtures/cookie-server.js';
import { descendants, isAlive, listeningPorts, somebodyListensOn } from './hardening/leftovers.js';
import { collectRun, runCli, selfSignedCertificate, spawnCli, waitForOutput } from './helpers.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', (socket) => stops.push(async () => void socket.destroy()));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function proxyFor(port: number, answerTimeoutMs?: number): Promise<WatchProxy> {
  const proxy = await startWatchProxy({ target: `http://127.0.0.1:${port}`, answerTimeoutMs });
  stops.push(() => proxy.stop());
  return proxy;
}

function nextExchange(proxy: WatchProxy): Promise<Exchange> {
  return new Promise((resolve) => {
    const off = proxy.onExchange((exchange) => {
      off();
      resolve(exchange);
    });
  });
}

/** GET through the proxy; resolves with the response and its whole body. */
function fetchRaw(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ res: IncomingMessage; body: Buffer }>((resolve, reject) => {
    const req = get(url, { headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

describe('watch never gets in the way', () => {
  it('streams a body as the app writes it, without waiting for the end', async () => {
    let finish = () => {};
    const app = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part;');
      finish = () => res.end('second part');
    });
    const proxy = await proxyFor(await listen(app));
    const res = await new Promise<IncomingMessage>((resolve) => get(proxy.url, resolve));
    // the first part arrives while the app still holds the second: nothing is buffered
    const [first] = await once(res, 'data');
    expect(String(first)).toBe('first part;');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    finish();
    const [rest] = await once(res, 'data');
    expect(String(rest)).toBe('second part');
  });

  it("streams a request's body to the app as the browser sends it", async () => {
    let firstPart: (text: string) => void = () => {};
    const arrived = new Promise<string>((resolve) => (firstPart = resolve));
    const app = createServer((req, res) => {
      req.once('data', (chunk) => firstPart(String(chunk)));
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => res.end(`got ${body}`));
    });
    const proxy = await proxyFor(await listen(app));
    const req = request(proxy.url, { method: 'POST', timeout: 5000 });
    const answered = new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    req.write('name=');
    // the app has the first part while the browser still holds the rest
    expect(await arrived).toBe('name=');
    req.end('Ada');
    const res = await answered;
    const [body] = await once(res, 'data');
    expect(String(body)).toBe('got name=Ada');
  });

  it('gives the app the Host the browser wrote, and its own host to an HTTP/1.0 request with none', async () => {
    const app = createServer((req, res) => res.end(req.headers.host));
    const appPort = await listen(app);
    const proxy = await proxyFor(appPort);
    expect(String((await fetchRaw(proxy.url)).body)).toBe(`127.0.0.1:${proxy.port}`);
    const socket = connect(proxy.port, '127.0.0.1');
    stops.push(async () => void socket.destroy());
    socket.write('GET / HTTP/1.0\r\n\r\n');
    let answer = '';
    for await (const chunk of socket) answer += chunk;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.endsWith(`\r\n\r\n127.0.0.1:${appPort}`)).toBe(true);
  });

  it('passes a gzip body through byte for byte, still compressed', async () => {
    const zipped = gzipSync('hello, compressed world');
    const app = createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': zipped.length });
      res.end(zipped);
    });
    const proxy = await proxyFor(await listen(app));
    const { res, body } = await fetchRaw(proxy.url, { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(body.equals(zipped)).toBe(true);
  });

  it('passes a WebSocket upgrade through, both ways', async () => {
    const app = createServer();
    app.on('upgrade', (req, socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      );
      socket.write(`hello ${req.url}`);
      socket.on('data', (data) => socket.write(`echo ${data}`));
    });
    const proxy = await proxyFor(await listen(app));
    const req = request(proxy.url.replace(/\/$/, '/live'), {
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
    });
    req.end();
    const [res, socket, head] = (await once(req, 'upgrade')) as [IncomingMessage, Socket, Buffer];
    stops.push(async () => void socket.destroy());
    expect(res.statusCode).toBe(101);
    // the greeting may come in the same packet as the 101 (then Node hands it over as `head`)
    const greeting = head.length > 0 ? head : (await once(socket, 'data'))[0];
    expect(String(greeting)).toBe('hello /live');
    socket.write('ping');
    const [echo] = await once(socket, 'data');
    expect(String(echo)).toBe('echo ping');
  });

  it('says nothing answers when the app is down', async () => {
    const free = createNetServer();
    const port = await listen(free as unknown as Server);
    await stops.pop()?.();
    const proxy = await proxyFor(port);
    const seen = nextExchange(proxy);
    const { res, body } = await fetchRaw(proxy.url);
    expect(res.statusCode).toBe(502);
    expect(String(body)).toContain(`nothing answers at http://127.0.0.1:${port}`);
    expect((await seen).problem).toContain('start your app there');
  });

  it('answers 504 when the app is too slow to start answering', async () => {
    const app = createServer(() => {
      // never answers
    });
    const proxy = await proxyFor(await listen(app), 200);
    const { res, body } = await fetchRaw(proxy.url);
    expect(res.statusCode).toBe(504);
    expect(String(body)).toContain('did not answer within 0.2 s');
  });

  it('says so when the app resets the connection', async () => {
    const app = createServer((req) => req.socket.resetAndDestroy());
    const proxy = await proxyFor(await listen(app));
    const { res, body } = await fetchRaw(proxy.url);
    expect(res.statusCode).toBe(502);
    expect(String(body)).toContain('closed the connection without answering');
    // and keeps serving afterwards
    expect((await fetchRaw(`${proxy.url}${reservedPath.slice(1)}/`)).res.statusCode).toBe(200);
  });

  it('breaks the answer off when the app breaks off in the middle of a body', async () => {
    const app = createServer((req, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write('only part of it');
      setImmediate(() => req.socket.destroy());
    });
    const proxy = await proxyFor(await listen(app));
    const res = await new Promise<IncomingMessage>((resolve) => get(proxy.url, resolve));
    res.on('error', () => {}); // the cut connection, asserted below
    res.resume();
    await new Promise((resolve) => res.on('close', resolve));
    // the browser sees it cut short, as it would without watch, not a complete answer
    expect(res.complete).toBe(false);
  });

  it('drops only a Set-Cookie line Node refuses to write, and says why', async () => {
    const fixture = await startCookieServer({ mixed: ['bad=a\x01b; Path=/', 'good=1; Path=/'] });
    stops.push(() => fixture.stop());
    const proxy = await proxyFor(fixture.port);
    const seen = nextExchange(proxy);
    const { res } = await fetchRaw(`${proxy.url}set/mixed`);
    expect(res.headers['set-cookie']).toEqual(['good=1; Path=/']);
    const exchange = await seen;
    expect(exchange.dropped).toEqual([
      {
        line: 'Set-Cookie: bad=a\x01b; Path=/',
        why: expect.stringContaining('Node refuses to write it'),
      },
    ]);
    expect(exchange.setCookies.map((v) => [v.name ?? null, v.verdict, v.rejected])).toEqual([
      [null, 'rejected', ['DisallowedCharacter']],
      ['good', 'stored', []],
    ]);
  });

  it('frames every kind of answer as the app wrote it, on one kept-alive connection', async () => {
    // raw answers, so each framing is exactly as written: no body (HEAD, 204, 304), an early
    // 103 before the real answer, chunks with an extension and a trailer (beside a Content-Length
    // that does not count), and a body that ends when the app closes
    const answers: Record<string, string> = {
      '/empty': 'HTTP/1.1 204 No Content\r\n\r\n',
      '/same': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n',
      '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
      '/hints':
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      '/chunks':
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n' +
        '3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n',
      '/until-close': 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end',
    };
    let connections = 0;
    const app = createNetServer((socket) => {
      connections++;
      let buffered = '';
      socket.on('data', (chunk) => {
        buffered += chunk;
        for (
          let end = buffered.indexOf('\r\n\r\n');
          end !== -1;
          end = buffered.indexOf('\r\n\r\n')
        ) {
          const path = buffered.slice(0, end).split(' ')[1];
          buffered = buffered.slice(end + 4);
          socket.write(answers[path]);
          if (path === '/until-close') socket.end();
        }
      });
    });
    const proxy = await proxyFor(await listen(app as unknown as Server));
    const exchanges: Exchange[] = [];
    proxy.onExchange((exchange) => exchanges.push(exchange));
    const call = (path: string, method = 'GET') =>
      new Promise<{ status?: number; body: string }>((resolve, reject) => {
        const req = request(`${proxy.url}${path.slice(1)}`, { method, timeout: 5000 }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('timeout', () => req.destroy(new Error(`no answer for ${path}`)));
        req.on('error', reject);
        req.end();
      });
    expect(await call('/empty')).toEqual({ status: 204, body: '' });
    expect(await call('/same')).toEqual({ status: 304, body: '' });
    expect(await call('/head', 'HEAD')).toEqual({ status: 200, body: '' });
    expect(await call('/hints')).toEqual({ status: 200, body: 'ok' });
    expect(await call('/chunks')).toEqual({ status: 200, body: 'abcde' });
    expect(connections).toBe(1);
    expect(await call('/until-close')).toEqual({ status: 200, body: 'until the end' });
    // the app closed that connection: the next answer comes on a new one
    expect(await call('/chunks')).toEqual({ status: 200, body: 'abcde' });
    expect(connections).toBe(2);
    expect(exchanges.map((e) => e.status)).toEqual([204, 304, 200, 200, 200, 200, 200]);
  });

  it('watches an https app, its self-signed certificate accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-cert-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const certificate = selfSignedCertificate(dir, 'localhost');
    const app = createHttpsServer(certificate, (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.setHeader('set-cookie', 'sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax');
        res.end(`got ${body}`);
      });
    });
    const port = await listen(app);
    const proxy = await startWatchProxy({ target: `https://127.0.0.1:${port}` });
    stops.push(() => proxy.stop());
    const seen = nextExchange(proxy);
    const req = request(proxy.url, { method: 'POST', timeout: 5000 });
    req.end('name=Ada');
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    const [body] = await once(res, 'data');
    expect(String(body)).toBe('got name=Ada');
    // the browser talks to the proxy on loopback, which counts as secure: the cookie is stored
    expect((await seen).setCookies.map((v) => [v.name, v.verdict])).toEqual([['sid', 'stored']]);
  });
});

describe('watch explains a session', () => {
  it('counts a Max-Age from the moment each line arrives, though it reads a line once', () => {
    const line = 'sid=1; Path=/; Max-Age=60';
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const first = parseSetCookie(line);
      vi.setSystemTime(2_000_000);
      const again = parseSetCookie(line);
      expect('expires' in first && first.expires).toBe(1_060_000);
      expect('expires' in again && again.expires).toBe(2_060_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('follows a redirect chain through itself, with the jar after each hop', async () => {
    const app = createServer((req, res) => {
      if (req.url === '/login') {
        res.writeHead(302, {
          location: `http://127.0.0.1:${port}/home`,
          'set-cookie': ['sid=abc; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Path=/app'],
        });
      } else res.writeHead(200);
      res.end();
    });
    const port = await listen(app);
    const proxy = await proxyFor(port);
    const exchanges: Exchange[] = [];
    proxy.onExchange((e) => exchanges.push(e));
    const first = await fetchRaw(`${proxy.url}login`);
    // the app's own address goes back through the proxy
    expect(first.res.headers.location).toBe(`${proxy.url}home`);
    await fetchRaw(`${proxy.url}home`, { cookie: 'sid=abc' });
    expect(exchanges[0].setCookies.map((v) => [v.name, v.verdict, v.changes])).toEqual([
      ['sid', 'stored', []],
      ['theme', 'stored', ['SameSiteDefaultsToLax']],
    ]);
    expect(exchanges[0].jar.map((c) => `${c.name}@${c.path}`)).toEqual(['sid@/', 'theme@/app']);
    expect(exchanges[1].sending.map((v) => [v.cookie.name, v.sent, v.withheld])).toEqual([
      ['sid', true, []],
      ['theme', false, ['NotOnPath']],
    ]);
    expect(exchanges[1].outsideModel).toEqual([]);
  });

  it('leaves a redirect as written for a browser that addresses the app by its own address (--browser)', async () => {
    const app = createServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/home` });
      res.end();
    });
    const port = await listen(app);
    const proxy = await proxyFor(port);
    const { res } = await fetchRaw(proxy.url, { host: `127.0.0.1:${port}` });
    expect(res.headers.location).toBe(`http://127.0.0.1:${port}/home`);
  });

  it('reports a cookie sent that it never saw set, and one withheld that it expected', async () => {
    const app = createServer((req, res) => {
      res.writeHead(200, req.url === '/set' ? { 'set-cookie': 'sid=1; Path=/' } : {});
      res.end();
    });
    const proxy = await proxyFor(await listen(app));
    await fetchRaw(`${proxy.url}set`);
    const seen = nextExchange(proxy);
    await fetchRaw(proxy.url, { cookie: 'fromScript=1' });
    expect((await seen).outsideModel).toEqual([
      { name: 'fromScript', sent: true },
      { name: 'sid', sent: false },
    ]);
  });

  it("keeps a frame's Partitioned cookie under the top-level site, and says why it is not sent elsewhere", async () => {
    const app = createServer((req, res) => {
      if (req.headers['sec-fetch-dest'] === 'iframe')
        res.setHeader('set-cookie', 'sid=1; Path=/; SameSite=None; Secure; Partitioned');
      res.end();
    });
    const proxy = await proxyFor(await listen(app));
    const page = (host: string, dest: string, site: string) =>
      fetchRaw(proxy.url, {
        host: `${host}:${proxy.port}`,
        'sec-fetch-site': site,
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': dest,
      });
    const exchanges: Exchange[] = [];
    proxy.onExchange((e) => exchanges.push(e));
    // a page on localhost frames 127.0.0.1 (another site), then 127.0.0.1 is opened at the top
    await page('localhost', 'document', 'none');
    await page('127.0.0.1', 'iframe', 'cross-site');
    await page('127.0.0.1', 'document', 'none');
    expect(exchanges[1].jar[0].partitionKey).toEqual({
      topLevelSite: 'http://localhost',
      hasCrossSiteAncestor: true,
    });
    expect(exchanges[2].sending).toEqual([]);
    expect(exchanges[2].otherPartitions.map((c) => c.name)).toEqual(['sid']);
    expect(exchangeLines(exchanges[2], 100)).toContain(
      'withheld sid: in the partition of http://localhost',
    );
  });

  it('advises on a logout that misses the cookie and on CORS with credentials', async () => {
    const app = createServer((req, res) => {
      if (req.url === '/login') res.setHeader('set-cookie', 'connect.sid=s%3Aabc.sig; Path=/');
      if (req.url === '/logout') res.setHeader('set-cookie', 'connect.sid=; Path=/app; Max-Age=0');
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-credentials', 'true');
      res.end();
    });
    const proxy = await proxyFor(await listen(app));
    const login = nextExchange(proxy);
    await fetchRaw(`${proxy.url}login`);
    const kinds = (await login).advice.map((a) => a.kind);
    expect(kinds).toEqual(['no-httponly', 'cors-credentials']);
    const logout = nextExchange(proxy);
    await fetchRaw(`${proxy.url}logout`);
    expect((await logout).advice.map((a) => a.kind)).toContain('logout-mismatch');
  });

  it('serves the live timeline at its reserved path, with each exchange as it happens', async () => {
    const app = createServer((_req, res) => {
      res.setHeader('set-cookie', 'sid=1; SameSite=None');
      res.end();
    });
    const proxy = await proxyFor(await listen(app));
    const page = await fetchRaw(proxy.pageUrl);
    expect(page.res.headers['content-type']).toContain('text/html');
    expect(String(page.body)).toContain('Cookies, live');
    const events = await new Promise<IncomingMessage>((resolve) =>
      get(`${proxy.pageUrl}events`, resolve),
    );
    events.on('error', () => {}); // destroyed below, at the end of the test
    stops.push(async () => void events.destroy());
    expect(events.headers['content-type']).toContain('text/event-stream');
    await fetchRaw(`${proxy.url}page`);
    const [data] = await once(events, 'data');
    const html = JSON.parse(
      String(data)
        .replace(/^data: /, '')
        .trim(),
    );
    expect(html).toContain('SameSiteNoneInsecure');
    expect(html).toContain('rejected');
  });
});

describe('session-tutor watch', () => {
  it('refuses an address that is not one, in one sentence', async () => {
    const run = await runCli(['watch', 'localhost:3000']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'error: "localhost:3000" is not a web address: write it like http://localhost:3000',
    );
  });

  it('says in one sentence what is missing or wrong in the command line', async () => {
    const cases: [string[], string][] = [
      [
        ['watch'],
        "error: `session-tutor watch` needs your app's address, such as `session-tutor watch http://localhost:3000`.",
      ],
      [
        ['watch', 'http://127.0.0.1:9', '--port', 'abc'],
        'error: --port abc is not a port: use a whole number from 1 to 65535, or 0 for any free port.',
      ],
      [
        ['watch', 'ftp://127.0.0.1'],
        'error: "ftp://127.0.0.1" is not a web address: write it like http://localhost:3000',
      ],
    ];
    for (const [args, said] of cases) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(said);
    }
  });

  it('says in one sentence when CHROME_PATH names no browser', async () => {
    const run = await runCli(['watch', 'http://127.0.0.1:9', '--browser'], {
      CHROME_PATH: '/nonexistent/chromium',
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'error: CHROME_PATH names /nonexistent/chromium, which does not exist: point it at Chromium or Chrome, or unset it.',
    );
  });

  it('answers a request that is not HTTP with 400, and keeps serving', async () => {
    const proxy = await proxyFor(await listen(createServer((_req, res) => res.end('ok'))));
    const socket = connect(proxy.port, '127.0.0.1');
    socket.end('NOT HTTP AT ALL\r\n\r\n');
    const [answer] = await once(socket, 'data');
    expect(String(answer)).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(String((await fetchRaw(proxy.url)).body)).toBe('ok');
  });

  it('names a busy port and the way out', async () => {
    const busy = await listen(createServer());
    const run = await runCli(['watch', 'http://127.0.0.1:9', '--port', String(busy)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Port ${busy} is busy: choose another with --port`);
  });

  it('prints one JSON object per exchange with --json, and Ctrl-C leaves nothing behind', async () => {
    const app = createServer((_req, res) => {
      res.setHeader('set-cookie', 'sid=1; Path=/; Secure');
      res.end('hi');
    });
    const appPort = await listen(app);
    const child = spawnCli(['watch', `http://127.0.0.1:${appPort}`, '--json', '--port', '0']);
    const ended = collectRun(child, 'session-tutor watch');
    // --json prints nothing but exchanges: the proxy's port is found where it listens
    const port = await waitForListener(child.pid as number);
    await fetchRaw(`http://127.0.0.1:${port}/`);
    const [line] = await waitForOutput(child, /^\{.*\}$/m);
    const exchange = JSON.parse(line);
    expect(exchange.setCookies[0]).toMatchObject({ verdict: 'stored', name: 'sid' });
    child.kill('SIGINT');
    const run = await ended;
    expect(run.code).toBe(130);
    expect(isAlive(child.pid as number)).toBe(false);
    expect(somebodyListensOn(port)).toBe(false);
  });
});

describe('session-tutor watch --browser', () => {
  it("shows what Chromium said beside the model's verdict, and closes Chromium on Ctrl-C", async () => {
    const app = createServer((req, res) => {
      if (req.url === '/') res.setHeader('set-cookie', 'sid=1; Path=/; SameSite=None');
      res.end('<!doctype html><title>app</title>');
    });
    const appPort = await listen(app);
    // Chromium's profile goes to a temporary folder: this one, to see it removed
    const tmp = mkdtempSync(join(tmpdir(), 'watch-browser-'));
    stops.push(async () => rmSync(tmp, { recursive: true, force: true }));
    // headless: no screen here (DISPLAY unset), as on a server
    const child = spawnCli(['watch', `http://127.0.0.1:${appPort}`, '--browser', '--json'], {
      CHROME_PATH: chromiumPath,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      TMPDIR: tmp,
    });
    const ended = collectRun(child, 'session-tutor watch --browser', 60_000);
    const [line] = await waitForOutput(child, /^\{"id":1,.*\}$/m, 30_000);
    const exchange = JSON.parse(line);
    expect(exchange.setCookies[0].rejected).toEqual(['SameSiteNoneInsecure']);
    expect(exchange.chromium.storage).toEqual({
      'sid=1; Path=/; SameSite=None': ['SameSiteNoneInsecure'],
    });
    const started = descendants(child.pid as number);
    expect(started.length).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect((await ended).code).toBe(130);
    expect(started.filter(isAlive)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

/** The port a process listens on, read from /proc once it does. */
async function waitForListener(pid: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [port] = listeningPorts(pid);
    if (port) return port;
    if (Date.now() > deadline) throw new Error(`process ${pid} never listened`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
