import { connect } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../../src/course/catalog.js';
import { storedSessions } from '../../src/course/stored.js';
import { explainCookie, tamperSignature } from '../../src/probe/cookies.js';
import { greets } from '../../src/probe/verdict.js';
import type { RunningStage } from '../../src/server/start.js';
import { withStage, withVisitors } from '../helpers.js';

// Stage 4 is where POST /setName appears; every later stage keeps it.
const nameStages = listLessons()
  .map((s) => s.number)
  .filter((n) => n >= 4);

const form = 'application/x-www-form-urlencoded';

interface BadInput {
  what: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  says: RegExp;
}

const badInputs: BadInput[] = [
  { what: 'no body at all', headers: { 'content-type': form }, status: 400, says: /no name/ },
  {
    what: 'an empty form',
    body: '',
    headers: { 'content-type': form },
    status: 400,
    says: /no name/,
  },
  { what: 'a blank name', body: 'name=+%20%09', status: 400, says: /name is empty/ },
  { what: 'an empty name', body: 'name=', status: 400, says: /name is empty/ },
  {
    what: 'a 101-character name',
    body: `name=${'a'.repeat(101)}`,
    status: 400,
    says: /longer than 100/,
  },
  { what: 'a 2 KB body', body: `name=${'a'.repeat(2048)}`, status: 413, says: /larger than 1 KB/ },
  {
    what: 'JSON',
    body: '{"name":"Ada"}',
    headers: { 'content-type': 'application/json' },
    status: 415,
    says: /as a form/,
  },
  {
    what: 'plain text',
    body: 'Ada',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    says: /as a form/,
  },
  {
    what: 'multipart form data',
    body: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda\r\n--x--\r\n',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    status: 415,
    says: /as a form/,
  },
  {
    what: 'a form with no content type',
    body: 'name=Ada',
    headers: {},
    status: 415,
    says: /as a form/,
  },
  { what: 'a truncated %-escape', body: 'name=Ad%E0%A4%A', status: 400, says: /broken %-escape/ },
  { what: 'a %-escape that is not hex', body: 'name=%ZZ', status: 400, says: /broken %-escape/ },
  {
    what: '%-escapes that are not UTF-8',
    body: 'name=%C3%28',
    status: 400,
    says: /broken %-escape/,
  },
  {
    what: 'raw bytes that are not UTF-8',
    body: Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff]),
    status: 400,
    says: /broken %-escape/,
  },
  {
    what: 'a repeated name field',
    body: 'name=Ada&name=Bob',
    status: 400,
    says: /more than one name/,
  },
  { what: 'no name field', body: 'nom=Ada', status: 400, says: /no name/ },
  {
    what: 'a charset other than UTF-8',
    body: 'name=Ada',
    headers: { 'content-type': `${form}; charset=utf-16` },
    status: 415,
    says: /character set/,
  },
  {
    what: 'a compression that is not used',
    body: 'name=Ada',
    headers: { 'content-type': form, 'content-encoding': 'gzip' },
    status: 400,
    says: /could not be decompressed/,
  },
  {
    what: 'an unknown compression',
    body: 'name=Ada',
    headers: { 'content-type': form, 'content-encoding': 'zip9' },
    status: 415,
    says: /content encoding/,
  },
];

async function postRaw(stage: RunningStage, input: BadInput) {
  const response = await request(`${stage.probeUrl}/setName`, {
    method: 'POST',
    body: input.body,
    headers: input.headers ?? { 'content-type': form },
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: await response.body.text(),
  };
}

/** Sends raw bytes over a socket and returns everything the server answers before closing. */
function sendBytes(stage: RunningStage, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(stage.port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Proves the stage still serves: a visitor tells a name and is greeted by it (stage 5 on). */
async function stillServes(stage: RunningStage): Promise<void> {
  await withVisitors(['jar'], async (visitor) => {
    const hops = await visitor.post(`${stage.probeUrl}/setName`, { name: 'Still here' });
    expect(hops[0].status).toBe(302);
    const sessions = await storedSessions(stage.store);
    expect(sessions.map((s) => s.data.myName)).toContain('Still here');
  });
}

describe.each(nameStages)('stage %i answers bad input with a 4xx page', (number) => {
  it.each(badInputs)('$what → $status and a page saying so', async (input) => {
    await withStage(number, async (stage) => {
      const answer = await postRaw(stage, input);
      expect(answer.status).toBe(input.status);
      expect(answer.headers['content-type']).toMatch(/text\/html/);
      expect(answer.body).toMatch(input.says);
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(await storedSessions(stage.store)).toEqual([]);
      await stillServes(stage);
    });
  });

  it('answers a Cookie header over the size limit with a 431 page and keeps serving', async () => {
    await withStage(number, async (stage) => {
      const answer = await sendBytes(
        stage,
        `GET / HTTP/1.1\r\nHost: x\r\nCookie: connect.sid=${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1.1 431 Request Header Fields Too Large/);
      expect(answer).toMatch(/Cookie header too big/);
      await stillServes(stage);
    });
  });

  it('answers bytes that are not HTTP with a 400 page and keeps serving', async () => {
    await withStage(number, async (stage) => {
      const answer = await sendBytes(stage, '\x16\x03\x01 hello, this is not HTTP\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request/);
      expect(answer).toMatch(/not valid HTTP/);
      await stillServes(stage);
    });
  });

  it('stores Unicode names as typed and shows them back', async () => {
    const names = [
      'Zoë Ångström',
      '李小龍',
      'Ελένη',
      'مرحبا',
      '🦊 Fox 🦊',
      'e\u0301 combining',
      '<b>&"\'</b>',
    ];
    await withStage(number, (stage) =>
      withVisitors(
        names.map(() => 'jar'),
        async (...visitors) => {
          for (const [i, visitor] of visitors.entries()) {
            const hops = await visitor.post(`${stage.probeUrl}/setName`, { name: names[i] });
            // stage 4 stores the name without showing it; later stages greet by it
            if (number >= 5) expect(greets(hops.at(-1), names[i])).toBe(true);
          }
          const stored = (await storedSessions(stage.store)).map((s) => s.data.myName);
          expect(stored.sort()).toEqual([...names].sort());
        },
      ),
    );
  });

  it('treats forged, junk and unsigned session cookies as a new visitor, and crashes on none', async () => {
    await withStage(number, (stage) =>
      withVisitors(['jar', 'goldfish'], async (ada, stranger) => {
        const [posted] = await ada.post(
          `${stage.probeUrl}/setName`,
          { name: 'Ada' },
          { follow: false },
        );
        const nameValue = posted.setCookie[0].split(';')[0];
        const id = explainCookie(posted.setCookie[0])?.sessionId;
        expect(id).toBeDefined();
        const cookies = [
          tamperSignature(nameValue), // forged signature
          `connect.sid=${id}`, // the real ID, unsigned
          `connect.sid=s%3A${id}`, // the real ID, signature missing
          'connect.sid=junk',
          'connect.sid=s%3A.',
          'connect.sid=%E0%A4%A', // broken %-escape
          'connect.sid=',
          'connect.sid',
          '=;;;=;',
          `connect.sid=s%3A${'a'.repeat(4000)}.${'b'.repeat(4000)}`,
          Array.from({ length: 300 }, (_, i) => `c${i}=v`).join('; '),
        ];
        for (const cookie of cookies) {
          const [hop] = await stranger.get(`${stage.probeUrl}/`, { cookie });
          expect(hop.status, cookie).toBe(200);
          expect(hop.setCookie, cookie).toEqual([]);
          expect(hop.body, cookie).not.toContain('Ada');
        }
        const stored = await storedSessions(stage.store);
        expect(stored.map((s) => [s.id, s.data.myName])).toEqual([[id, 'Ada']]);
        if (number >= 5) expect(greets((await ada.get(`${stage.probeUrl}/`))[0], 'Ada')).toBe(true);
      }),
    );
  });
});
