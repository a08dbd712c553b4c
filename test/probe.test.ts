import { once } from 'node:events';
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { explainCookie, readPayload } from '../src/probe/cookies.js';
import { probeServer } from '../src/probe/probe.js';
import { startFixture } from './fixtures/servers.js';
import { runCli, withStage } from './helpers.js';

const b64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');

describe('probe on the command line', () => {
  it('--json against a stage: goldfish forgotten, jar remembered, a signed session ID explained', async () => {
    await withStage(5, async (stage) => {
      const run = await runCli(['probe', stage.probeUrl, '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.visits.map((v: { verdict: { outcome: string } }) => v.verdict.outcome)).toEqual(
        ['forgotten', 'remembered'],
      );
      const methods = report.visits[1].hops.map(
        (h: { method: string; url: string }) => `${h.method} ${new URL(h.url).pathname}`,
      );
      expect(methods).toEqual(['GET /', 'POST /setName', 'GET /', 'GET /']);
      expect(report.cookies).toHaveLength(1);
      expect(report.cookies[0]).toMatchObject({
        name: 'connect.sid',
        kind: 'signed-session-id',
        httpOnly: true,
        path: '/',
      });
      expect(report.cookies[0].lifetime).toBeUndefined();
      expect(report.cookies[0].summary).toContain('the data stays on the server');
    });
  });

  it('--json against a server whose session cookie is a signed, readable payload shows the payload', async () => {
    const fixture = await startFixture('client-side');
    try {
      const run = await runCli(['probe', fixture.url, '--field', 'name=Grace', '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.visits[1].verdict.outcome).toBe('remembered');
      expect(report.cookies[0]).toMatchObject({
        name: 'sid',
        kind: 'readable',
        payload: { name: 'Grace' },
        sameSite: 'lax',
      });
      expect(report.cookies[0].summary).toMatch(/anyone who holds this cookie can read it/);
    } finally {
      await fixture.close();
    }
  });

  it('prints every hop, each verdict and the decoded payload', async () => {
    const fixture = await startFixture('client-side');
    try {
      const run = await runCli(['probe', fixture.url, '--field', 'name=Grace']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('POST /setName');
      expect(run.stdout).toContain('✔ goldfish (no cookie jar): forgotten');
      expect(run.stdout).toContain('✔ browser (cookie jar): remembered');
      expect(run.stdout).toContain('decoded     {"name":"Grace"}');
      // wrapped at words, its continuation lined up under the field
      expect(run.stdout.replace(/\n +/g, ' ')).toContain(
        'anyone who holds this cookie can read it',
      );
      expect(run.stdout).toContain('SameSite=lax');
    } finally {
      await fixture.close();
    }
  });

  it('--help names its exit codes, every line within 60 columns', async () => {
    const run = await runCli(['probe', '--help'], { COLUMNS: '60' });
    expect(run.code).toBe(0);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain(
      'Exit codes: 0 both verdicts hold (the goldfish forgotten, the browser remembered) 1 a verdict fails, or the server cannot be reached 2 a mistake on the command line',
    );
    expect(run.stdout.split('\n').filter((line) => line.length > 60)).toEqual([]);
  });

  it('exits 1 when a verdict fails: a server that forgets everyone', async () => {
    const fixture = await startFixture('forgets');
    try {
      const run = await runCli(['probe', fixture.url]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✘ browser (cookie jar): forgotten');
    } finally {
      await fixture.close();
    }
  });

  it('submits the page’s own form, its hidden token decoded, and measures an encrypted cookie', async () => {
    const strict = await startFixture('strict-html');
    const encrypted = await startFixture('encrypted');
    try {
      const run = await runCli(['probe', strict.url, '--json']);
      expect(run.code).toBe(0);
      const posted = JSON.parse(run.stdout).visits[1].hops[1];
      expect(posted).toMatchObject({ method: 'POST', form: { token: 't+1/2' } });
      const measured = JSON.parse((await runCli(['probe', encrypted.url, '--json'])).stdout);
      expect(measured.cookies[0]).toMatchObject({ name: 'sid', kind: 'encrypted-data' });
      expect(measured.cookies[0].summary).toMatch(
        /^the session's cookie: without it the server forgets the name\. The data travels in the cookie, encrypted/,
      );
    } finally {
      await strict.close();
      await encrypted.close();
    }
  });

  it('says clearly when nothing is listening (exit 1) and when the address is not one (exit 2)', async () => {
    const fixture = await startFixture('correct');
    await fixture.close();
    const down = await runCli(['probe', fixture.url]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('Nothing is listening at');
    const bad = await runCli(['probe', 'not-a-url']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"not-a-url" is not a web address');
    const badField = await runCli(['probe', fixture.url, '--field', 'Grace']);
    expect(badField.code).toBe(2);
    expect(badField.stderr).toContain('--field "Grace" is not name=VALUE');
  });

  it('refuses a --post that is not a path on the probed server, before sending anything', async () => {
    for (const post of ['http://[', '', 'http://example.test/setName']) {
      const run = await runCli(['probe', 'http://127.0.0.1:9/', '--post', post]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--post "${post}" is not a path on http://127.0.0.1:9`);
      expect(run.stderr).not.toMatch(/\bat \S+:\d+/);
    }
  });
});

describe('explainCookie', () => {
  it('reads the payload of signed client-side sessions in the common shapes', () => {
    const json = '{"user":"Ada","admin":false}';
    // Flask / itsdangerous: payload.timestamp.signature, compressed when it starts with a dot
    expect(readPayload(`${b64url(json)}.ZmJ8Qw.c2lnbmF0dXJlc2lnbmF0dXJl`)?.payload).toEqual(
      JSON.parse(json),
    );
    expect(readPayload(`.${b64url(deflateSync(json))}.ZmJ8Qw.c2lnbmF0dXJl`)?.payload).toEqual(
      JSON.parse(json),
    );
    // a JWT: the header segment is readable JSON too, and comes first
    expect(readPayload(`${b64url('{"alg":"HS256"}')}.${b64url(json)}.sig`)?.payload).toEqual({
      alg: 'HS256',
    });
    // Rails: base64 data--digest, URL-encoded
    expect(
      readPayload(encodeURIComponent(`${Buffer.from(json).toString('base64')}--0a1b2c3d`))?.payload,
    ).toEqual(JSON.parse(json));
    // Express's res.cookie with an object: j: + JSON
    expect(readPayload(encodeURIComponent(`j:${json}`))?.payload).toEqual(JSON.parse(json));
  });

  it('calls a random ID opaque and an express-session cookie a signed ID', () => {
    expect(explainCookie('id=3f9a1c0e7b2d4a6f8e1c3b5d7f9a0c2e; Path=/')?.kind).toBe('opaque');
    expect(explainCookie('tok=Qk9hN2xqWVNfM2tX; Path=/')?.kind).toBe('opaque');
    expect(readPayload(b64url('user=Ada; admin=false'))?.payload).toBe('user=Ada; admin=false');
    const signed = explainCookie(
      'connect.sid=s%3AGG0deHtjPdQrOhyLWQSUJT9f6kbS9dGm.gBP%2FL938xV6yTezPTId%2F47wvEgqvR9jrCrnbg0V1AwQ; Path=/; HttpOnly',
    );
    expect(signed).toMatchObject({
      kind: 'signed-session-id',
      sessionId: 'GG0deHtjPdQrOhyLWQSUJT9f6kbS9dGm',
    });
  });

  it('lists the attributes, and a lifetime only when one was set', () => {
    const cookie = explainCookie('a=b; Path=/app; Max-Age=60; Secure; HttpOnly; SameSite=Strict');
    expect(cookie).toMatchObject({
      path: '/app',
      lifetime: 'Max-Age=60',
      secure: true,
      httpOnly: true,
      sameSite: 'strict',
    });
    expect(explainCookie('a=b')?.lifetime).toBeUndefined();
  });
});

describe('probe names cookies for what they proved to be', () => {
  it('a double-submit CSRF cookie, whose value is the form’s hidden field, is no session', async () => {
    const names = new Map<string, string>();
    const server = createServer(async (req, res) => {
      const jar = new URLSearchParams((req.headers.cookie ?? '').replaceAll('; ', '&'));
      const token = jar.get('csrf') ?? `t${Math.random().toString(36).slice(2)}`;
      const name = names.get(jar.get('sid') ?? '');
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const fields = new URLSearchParams(body);
        if (fields.get('_csrf') !== jar.get('csrf')) return res.writeHead(403).end('refused');
        const sid = Math.random().toString(36).slice(2);
        names.set(sid, fields.get('name') ?? '');
        return res.writeHead(303, { location: '/', 'set-cookie': `sid=${sid}; HttpOnly` }).end();
      }
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': `csrf=${token}` });
      res.end(
        `<h1>${name ?? 'Hello, stranger'}</h1><form method="post" action="/setName"><input type="hidden" name="_csrf" value="${token}"><input name="name"></form>`,
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const report = await probeServer({
        url: `http://127.0.0.1:${port}/`,
        post: '/setName',
        fields: {},
      });
      expect(report.visits.map((v) => v.verdict?.outcome)).toEqual(['forgotten', 'remembered']);
      const summary = (name: string) => report.cookies.find((c) => c.name === name)?.summary;
      expect(summary('csrf')).toBe(
        "a CSRF cookie: its value is the form's hidden field _csrf; the name is remembered without it, so it holds no session (sid does)",
      );
      expect(summary('sid')).toBe(
        "the session's cookie: without it the server forgets the name. It did not grow with a name 200 characters longer: the data stays on the server, the cookie only says which session is yours",
      );
    } finally {
      server.close();
      await once(server, 'close');
    }
  });
});
