import { spawn } from 'node:child_process';
import session from 'express-session';
import { describe, expect, it } from 'vitest';
import { findLesson } from '../src/course/catalog.js';
import { lessonOnNode24 } from '../src/course/not-run.js';
import { runDemo } from '../src/course/run.js';
import { storedSessions } from '../src/course/stored.js';
import { type DemoStep, held } from '../src/course/types.js';
import type { StoreChoice } from '../src/stage/stores/choose.js';
import { hasNodeSqlite } from '../src/stage/stores/sqlite.js';
import {
  binPath,
  collectRun,
  freshHome,
  runCli,
  spawnCli,
  waitForOutput,
  withStage,
} from './helpers.js';

const redisUrl = process.env.REDIS_URL;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('lessons 7 to 11', () => {
  it('run unattended with `start --yes --from 7`, every verdict held', async () => {
    const run = await runCli(['start', '--yes', '--from', '7', '--port', '0'], {}, 120_000);
    expect(run.stderr, run.stdout).toBe('');
    expect(run.code, run.stdout).toBe(0);
    for (const title of [
      'How long a session lives',
      'Forget me: logging out',
      'Where the data lives',
      'Many servers, one memory',
      'Keeping sessions safe',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`✔ +\\d+ ${title}`));
    }
    if (hasNodeSqlite()) {
      expect(run.stdout).toContain('Grace, after a restart, --store sqlite: remembered');
      expect(run.stdout).toContain('remembered by both processes');
      expect(run.stdout).toMatch(/✔ +9 Where the data lives: 4\/4\n/);
      expect(run.stdout).not.toContain('skipped');
    } else {
      // no outcome for what did not run, and the summary says so, and why
      expect(run.stdout).toContain('– Grace, after a restart, --store sqlite: not run');
      expect(run.stdout).toContain('– Grace, one shared store: not run');
      expect(run.stdout).not.toContain('--store sqlite: remembered');
      // a summary line wraps at words, its continuation indented
      const summary = run.stdout.slice(run.stdout.indexOf('Summary')).replace(/\n +/g, ' ');
      expect(summary).toMatch(
        /✔ +9 Where the data lives: 3\/3; skipped, Grace, after a restart, --store sqlite: node:sqlite needs Node 22\.13 or newer, and this is Node 20/,
      );
      expect(summary).toMatch(
        /✔ +10 Many servers, one memory: 1\/1; skipped, Grace, one shared store: it needs --store redis/,
      );
      for (const n of [9, 10]) {
        expect(run.stdout).toContain(
          `Node 24, from npm's node package:\n  npx -y node@24 ${binPath} lesson ${n}\n`,
        );
      }
    }
  }, 150_000);

  it('stops the two stage processes of lesson 10 when the tutor gets SIGTERM mid-demo', async () => {
    const child = spawnCli(['lesson', '10', '--yes', '--port', '0']);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    try {
      const [, first, second] = await waitForOutput(child, /Processes (\d+) and (\d+)/, 30_000);
      child.kill('SIGTERM');
      const code = await new Promise((resolve) =>
        child.once('exit', (c, sig) => resolve([c, sig])),
      );
      expect(code).toEqual([143, null]);
      expect(stderr).toBe('');
      expect(alive(Number(first))).toBe(false);
      expect(alive(Number(second))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// The command a Node without node:sqlite prints for the halves it skipped, run word for word:
// it fetches Node 24 from npm (cached after the first run), so it is given time.
describe.skipIf(hasNodeSqlite())('the command printed for a skipped half', () => {
  it.each([
    [9, 'Grace, after a restart, --store sqlite: remembered'],
    [10, 'Grace, one shared store (sqlite): remembered by both processes'],
  ])(
    'runs lesson %i on Node 24, where the half runs',
    async (n, shown) => {
      const command = lessonOnNode24(n);
      expect(command).toBe(`npx -y node@24 ${binPath} lesson ${n}`);
      const run = await collectRun(
        spawn('sh', ['-c', command], {
          env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome() },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
        command,
        280_000,
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain(`✔ ${shown}`);
      expect(run.stdout).not.toContain('skipped');
    },
    300_000,
  );
});

async function demoOf(n: number, storeChoice?: StoreChoice) {
  const steps: DemoStep[] = [];
  const verdicts = await withStage(n, (stage) =>
    runDemo(findLesson(n), stage, (step) => steps.push(step), { storeChoice }),
  );
  return { steps, verdicts };
}

describe('the restart demo (lesson 9)', () => {
  it.runIf(redisUrl)(
    'restarts against the Redis given with --store, on any Node version',
    async () => {
      const run = await runCli(
        ['lesson', '9', '--yes', '--port', '0', '--store', redisUrl ?? ''],
        {},
        120_000,
      );
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain('✔ Grace, after a restart, --store redis: remembered');
      expect(run.stdout).not.toContain('not run');
    },
    150_000,
  );
});

describe('the two-process demo (lesson 10)', () => {
  it('forgets every other request with a memory store each', async () => {
    const { verdicts } = await demoOf(10);
    expect(verdicts[0]).toMatchObject({
      outcome: 'remembered by one process, forgotten by the other',
    });
    expect(verdicts[0].evidence).toMatch(/process \d+: stranger, process \d+: Ada/);
    expect(verdicts.every(held)).toBe(true);
  });

  it.skipIf(!hasNodeSqlite())('remembers on both processes with one SQLite file', async () => {
    const { verdicts } = await demoOf(10);
    expect(verdicts[1]).toMatchObject({
      label: 'Grace, one shared store (sqlite)',
      outcome: 'remembered by both processes',
    });
  });

  it.skipIf(hasNodeSqlite())(
    'says the shared half was not run on a Node without node:sqlite',
    async () => {
      const { verdicts } = await demoOf(10);
      expect(verdicts[1]).toMatchObject({
        label: 'Grace, one shared store',
        outcome: 'not run',
        skipped: expect.stringMatching(/node:sqlite \(Node 22\.13 or newer; this is Node 20/),
      });
    },
  );

  it.runIf(redisUrl)('remembers on both processes with one Redis', async () => {
    const { verdicts } = await demoOf(10, { kind: 'redis', url: redisUrl ?? '' });
    expect(verdicts[1]).toMatchObject({
      label: 'Grace, one shared store (redis)',
      outcome: 'remembered by both processes',
    });
  });
});

describe('store dumps', () => {
  it("list only the sessions the demo made, not an earlier lesson's in the same store", async () => {
    const store = new session.MemoryStore();
    // lesson 4's demo leaves Ada's and Mallory's sessions in the store, as `start` keeps one store
    await withStage(4, (stage) => runDemo(findLesson(4), stage, () => {}), { store });
    expect(await storedSessions(store)).toHaveLength(2);
    const steps: DemoStep[] = [];
    await withStage(5, (stage) => runDemo(findLesson(5), stage, (step) => steps.push(step)), {
      store,
    });
    const dumps = steps.filter((step) => step.kind === 'store');
    expect(dumps).toHaveLength(1);
    const names = dumps[0].kind === 'store' ? dumps[0].entries.map((e) => e.data.myName) : [];
    expect(names.sort()).toEqual(['Ada', 'Grace', 'Linus']);
    expect(await storedSessions(store)).toHaveLength(5);
  });
});
