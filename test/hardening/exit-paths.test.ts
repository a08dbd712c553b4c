import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, freshHome, waitForOutput, withStage } from '../helpers.js';
import { silent } from './bad-targets.js';
import { plantedCli } from './fixture.js';
import {
  descendants,
  isAlive,
  killListener,
  processesWithEnv,
  somebodyListensOn,
} from './leftovers.js';
import { Terminal } from './terminal.js';

// Every way out of the walkthrough, in a real terminal, against the real process: afterwards
// no server listens, no process the CLI started lives on, the terminal is back in normal
// (canonical) mode, the lessons finished before are saved, and the exit code says how it ended.

const planted = plantedCli();

let terminal: Terminal | undefined;
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

interface Situation {
  home: string;
  port: number;
  pid: number;
}

/** Starts the course in a terminal, finishes lesson 1, and goes on until `where` shows. */
async function reach(where: RegExp, fault?: string): Promise<Situation> {
  const home = freshHome();
  const env: Record<string, string> = { SESSION_TUTOR_HOME: home };
  if (fault) env.FIXTURE_DEMO = fault;
  terminal = new Terminal(`${process.execPath} ${fault ? planted : cliPath} start --port 0`, env);
  const first = await terminal.waitFor(/page 1\/\d+ +\[Enter\]/);
  const port = Number(first.match(/running at http:\/\/localhost:(\d+)/)?.[1]);
  expect(somebodyListensOn(port)).toBe(true);
  const pid = terminal.cliPid();
  await terminal.pageUntil(where);
  return { home, port, pid };
}

const lessonTwo = /Lesson 2 of[\s\S]*page 1\/\d+ +\[Enter\]/;
const midDemo = /waiting 60 s: a pause planted by the test/;

/** The CLI in the terminal ended with `code`, in normal mode, and nothing it started lives on. */
async function expectEnded(situation: Situation, code: number): Promise<string> {
  const started = descendants(situation.pid);
  const end = await (terminal as Terminal).ended();
  expect(end.code).toBe(code);
  expect(end.normalMode).toBe(true);
  expect(isAlive(situation.pid)).toBe(false);
  expect(started.filter(isAlive)).toEqual([]);
  // anything the CLI started carries its SESSION_TUTOR_HOME, even if it was orphaned
  expect(processesWithEnv('SESSION_TUTOR_HOME', situation.home)).toEqual([]);
  return end.screen;
}

/** As expectEnded, and the stage server is gone and lesson 1 is saved as done. */
async function expectCleanEnd(situation: Situation, code: number): Promise<string> {
  const screen = await expectEnded(situation, code);
  expect(somebodyListensOn(situation.port)).toBe(false);
  const progress = JSON.parse(readFileSync(join(situation.home, 'progress.json'), 'utf8'));
  expect(progress.done).toEqual(['01-goldfish']);
  return screen;
}

const kill = (signal: NodeJS.Signals) => (s: Situation) => process.kill(s.pid, signal);
const press = (key: string) => () => terminal?.keys(key);

describe('leaving the walkthrough on a page', () => {
  it.each([
    { how: 'q', leave: press('q'), code: 0 },
    { how: 'Ctrl-C', leave: press('C-c'), code: 130 },
    { how: 'SIGINT', leave: kill('SIGINT'), code: 130 },
    { how: 'SIGTERM', leave: kill('SIGTERM'), code: 143 },
    { how: 'SIGHUP (the terminal closed)', leave: kill('SIGHUP'), code: 129 },
  ])('$how leaves nothing behind and exits with $code', async ({ leave, code }) => {
    const situation = await reach(lessonTwo);
    leave(situation);
    await expectCleanEnd(situation, code);
  });
});

describe('leaving the walkthrough in the middle of a demo', () => {
  it.each([
    { how: 'q', leave: press('q'), code: 0 },
    { how: 'Ctrl-C', leave: press('C-c'), code: 130 },
    { how: 'SIGTERM', leave: kill('SIGTERM'), code: 143 },
  ])(
    '$how stops the demo at once, leaves nothing behind and exits with $code',
    async ({ leave, code }) => {
      const situation = await reach(midDemo, 'pause');
      leave(situation);
      await expectCleanEnd(situation, code);
    },
  );

  it('an error thrown by the demo is reported, and nothing is left behind (exit 1)', async () => {
    const situation = await reach(/hit a problem it did not expect/, 'reject');
    const screen = await expectCleanEnd(situation, 1);
    expect(screen).toContain('a fault planted in the demo by the test');
  });

  it('an uncaught exception is reported, and nothing is left behind (exit 1)', async () => {
    const situation = await reach(midDemo, 'uncaught');
    const screen = await expectCleanEnd(situation, 1);
    expect(screen).toContain('a fault planted outside any promise by the test');
    expect(screen).toContain('hit a problem it did not expect');
  });
});

describe('leaving an unattended run (no terminal)', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s in the middle of a demo frees the port and exits with %i',
    async (signal, code) => {
      const home = freshHome();
      const child = spawn(process.execPath, [planted, 'start', '--yes', '--port', '0'], {
        env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: home, FIXTURE_DEMO: 'pause' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // lesson 1 runs by itself; lesson 2, on the same port, pauses in its planted demo
      const [, port] = await waitForOutput(
        child,
        new RegExp(`running at http://localhost:(\\d+)[\\s\\S]*${midDemo.source}`),
      ).catch((err: unknown) => {
        // a test that fails before its signal must not leave the tutor running
        child.kill('SIGKILL');
        throw err;
      });
      const started = descendants(child.pid as number);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(started.filter(isAlive)).toEqual([]);
      expect(processesWithEnv('SESSION_TUTOR_HOME', home)).toEqual([]);
      expect(somebodyListensOn(Number(port))).toBe(false);
      expect(JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).done).toEqual([
        '01-goldfish',
      ]);
    },
  );
});

describe('leaving check --watch', () => {
  /** Runs `check 5 --watch` in a terminal, in an empty folder (it watches the folder it runs in). */
  async function watching(url: string, until: RegExp): Promise<Situation> {
    const home = freshHome();
    terminal = new Terminal(
      `${process.execPath} ${cliPath} check 5 --watch --tutor-stage --url ${url}`,
      { SESSION_TUTOR_HOME: home },
      freshHome(),
    );
    await terminal.waitFor(until);
    return { home, port: Number(new URL(url).port), pid: terminal.cliPid() };
  }

  it.each([
    { how: 'q Enter', leave: () => terminal?.keys('q', 'Enter'), code: 0 },
    { how: 'Ctrl-C', leave: () => terminal?.keys('C-c'), code: 130 },
    { how: 'SIGTERM', leave: (s: Situation) => process.kill(s.pid, 'SIGTERM'), code: 143 },
  ])('$how between runs ends it with $code, leaving nothing behind', async ({ leave, code }) => {
    await withStage(5, async (stage) => {
      const situation = await watching(
        stage.probeUrl,
        /expectations of lesson 5 pass[\s\S]*q Enter: quit/,
      );
      leave(situation);
      await expectEnded(situation, code);
    });
  });

  it('Ctrl-C in the middle of a check (the server never answers) ends it with 130', async () => {
    const target = await silent();
    try {
      const situation = await watching(target.url.replace(/\/$/, ''), /Checking lesson 5/);
      terminal?.keys('C-c');
      await expectEnded(situation, 130);
    } finally {
      await target.close();
    }
  });
});

// A stage killed from outside: its listening socket is destroyed by `ss --kill` while the tutor
// runs, as a crash of the server (not of the tutor) would leave it: nothing answers at the address.
const canKillListeners = await (async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const killed = killListener((probe.address() as { port: number }).port);
  probe.close();
  return killed;
})();

describe.skipIf(!canKillListeners)('a stage server killed from outside mid-lesson', () => {
  it('is reported at the next demo, and r restarts it at the same address', async () => {
    const situation = await reach(lessonTwo);
    expect(killListener(situation.port)).toBe(true);
    await (terminal as Terminal).pageUntil(/stopped answering/);
    const screen = await (terminal as Terminal).waitFor(/\[r\] restart it/);
    expect(screen).toMatch(/Stage 2's server stopped answering: Nothing is listening at/);
    terminal?.keys('r');
    // the page is drawn again below the report, with the demo's verdict from the new server
    await (terminal as Terminal).waitFor(
      /stopped answering[\s\S]*✔[\s\S]*page \d+\/\d+ +\[Enter\]/,
    );
    expect(somebodyListensOn(situation.port)).toBe(true);
    terminal?.keys('q');
    await expectCleanEnd(situation, 0);
  });

  it('unattended, is reported, restarted once, and the lesson goes on', async () => {
    const home = freshHome();
    const child = spawn(process.execPath, [planted, 'start', '--yes', '--port', '0'], {
      env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: home, FIXTURE_DEMO: 'visit' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (d) => {
        out += d;
      });
    }
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const [, port] = await waitForOutput(
      child,
      /running at http:\/\/localhost:(\d+)[\s\S]*a short pause planted by the test/,
    );
    expect(killListener(Number(port))).toBe(true);
    const code = await exited;
    expect(out).toMatch(
      /Stage 2's server stopped answering: Nothing is listening at[\s\S]*Restarting it/,
    );
    expect(out).toMatch(/✔ a planted visit: answered 200/);
    expect(code).toBe(0);
    expect(somebodyListensOn(Number(port))).toBe(false);
    expect(JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).done).toContain(
      '02-secret',
    );
  });
});
