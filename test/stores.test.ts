import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findLesson } from '../src/course/catalog.js';
import { runDemo } from '../src/course/run.js';
import { startStageProcess } from '../src/course/stage-process.js';
import { Visitor } from '../src/probe/visitor.js';
import { Refusal } from '../src/stage/refusal.js';
import {
  loadRedisModules,
  openStore,
  parseStore,
  type StoreChoice,
} from '../src/stage/stores/choose.js';
import { hasNodeSqlite } from '../src/stage/stores/sqlite.js';
import { freshHome, runCli, waitForOutput, withStage } from './helpers.js';

const redisUrl = process.env.REDIS_URL;

/** Tells stage 9 a name, restarts it (a new process on the same port), and comes back. */
async function nameAfterRestart(store: StoreChoice): Promise<string> {
  const secret = 'a test secret that is long enough to be safe';
  const visitor = new Visitor('tester', 'jar');
  const first = await startStageProcess(9, { store, secret });
  let second: Awaited<ReturnType<typeof startStageProcess>> | undefined;
  try {
    await visitor.post(`${first.probeUrl}/setName`, { name: 'Ada' });
    await first.stop();
    second = await startStageProcess(9, { store, secret, port: first.port });
    const [page] = await visitor.get(`${second.probeUrl}/`);
    return page.keyLine;
  } finally {
    await first.stop();
    await second?.stop();
    await visitor.close();
  }
}

describe('--store', () => {
  it('reads memory, sqlite, sqlite:FILE and redis:// URLs', () => {
    expect(parseStore('memory', '/home/t')).toEqual({ kind: 'memory' });
    expect(parseStore('sqlite', '/home/t')).toEqual({
      kind: 'sqlite',
      file: '/home/t/sessions.sqlite',
    });
    expect(parseStore('sqlite:/tmp/s.db', '/home/t')).toEqual({
      kind: 'sqlite',
      file: '/tmp/s.db',
    });
    expect(parseStore('redis://localhost:6379', '/home/t')).toEqual({
      kind: 'redis',
      url: 'redis://localhost:6379',
    });
    expect(() => parseStore('postgres://x', '/home/t')).toThrow(Refusal);
  });

  it('refuses a Redis address that is not one, naming the form it takes', () => {
    for (const typo of ['redis://host:abc', 'redis://a:99999', 'redis://[::1']) {
      expect(() => parseStore(typo, '/home/t')).toThrow(
        /is not a Redis address: write it like redis:\/\/127\.0\.0\.1:6379/,
      );
    }
  });

  it('refuses an unknown store with one clear message', async () => {
    const run = await runCli(['serve', '9', '--port', '0', '--store', 'mongo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"mongo" is not a session store: use memory, sqlite/);
  });

  it('says clearly when Redis cannot be reached', async () => {
    const run = await runCli(['serve', '9', '--port', '0', '--store', 'redis://127.0.0.1:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*is redis-server running/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('forgets a name when the server restarts with a memory store', async () => {
    expect(await nameAfterRestart({ kind: 'memory' })).toBe('<h1>Hello, stranger</h1>');
  });

  it.skipIf(!hasNodeSqlite())('keeps a name across a restart with a SQLite store', async () => {
    const file = `${freshHome()}/sessions.sqlite`;
    expect(await nameAfterRestart({ kind: 'sqlite', file })).toBe('<h1>Ada</h1>');
  });

  it.skipIf(!hasNodeSqlite())(
    'keeps the default SQLite file in the tutor home folder',
    async () => {
      const home = freshHome();
      const opened = await openStore(parseStore('sqlite', home));
      await opened.close();
      const { existsSync } = await import('node:fs');
      expect(existsSync(`${home}/sessions.sqlite`)).toBe(true);
    },
  );

  it.skipIf(hasNodeSqlite())(
    'says which Node the SQLite store needs on an older Node',
    async () => {
      const run = await runCli(['serve', '9', '--port', '0', '--store', 'sqlite']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /node:sqlite, which needs Node 22\.13 or newer; this is Node 20\.\d+\.\d+\. Upgrade Node, or use --store memory/,
      );
    },
  );

  it.runIf(redisUrl)('keeps sessions in Redis, where a second server finds them', async () => {
    const opened = await openStore({ kind: 'redis', url: redisUrl ?? '' });
    const visitor = new Visitor('tester', 'jar');
    try {
      await withStage(
        9,
        (stage) => visitor.post(`${stage.probeUrl}/setName`, { name: 'Redis Ada' }),
        {
          store: opened.store,
        },
      );
      const [page] = await withStage(9, (stage) => visitor.get(`${stage.probeUrl}/`), {
        store: opened.store,
      });
      expect(page.keyLine).toBe('<h1>Redis Ada</h1>');
    } finally {
      await visitor.close();
      await opened.close();
    }
  });
});

describe('stage 11 in production mode', () => {
  it('refuses to start without SESSION_SECRET', async () => {
    const run = await runCli(['serve', '11', '--port', '0'], {
      NODE_ENV: 'production',
      SESSION_SECRET: '',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SESSION_SECRET is not set/);
  });

  it('starts with a long secret', async () => {
    const store = { kind: 'memory' } as const;
    const stage = await startStageProcess(11, {
      store,
      secret: 'x'.repeat(40),
      env: { NODE_ENV: 'production' },
    });
    await stage.stop();
    expect(stage.port).toBeGreaterThan(0);
  });
});

describe('the optional Redis packages', () => {
  it('are loaded when --store redis is chosen, as a clone installs them', async () => {
    const [redis, connectRedis] = await loadRedisModules();
    expect(typeof redis.createClient).toBe('function');
    expect(typeof connectRedis.RedisStore).toBe('function');
  });

  it('when missing, are named with the command that installs them', async () => {
    // the same import, of a package that does not exist, fails the way a missing redis would
    const missing = () => import(/* @vite-ignore */ ['no-such-package', 'session-tutor'].join('-'));
    const error = await loadRedisModules(missing as never).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Refusal);
    expect((error as Error).message).toContain('npm install redis@6 connect-redis@9');
  });
});

describe("lesson 9's restart half with --store redis://", () => {
  it('runs on the learner’s Redis, whatever Node this is, and Grace is remembered', async () => {
    const port = await freePort();
    const redis = spawn(
      '/usr/bin/redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await waitForOutput(redis, /Ready to accept connections/);
      const storeChoice = { kind: 'redis' as const, url: `redis://127.0.0.1:${port}` };
      const verdicts = await withStage(9, (stage) =>
        runDemo(findLesson(9), stage, () => {}, { storeChoice }),
      );
      expect(verdicts.at(-1)).toMatchObject({
        label: 'Grace, after a restart, --store redis',
        outcome: 'remembered',
        expected: 'remembered',
      });
    } finally {
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
