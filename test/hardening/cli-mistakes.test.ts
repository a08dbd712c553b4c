import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLesson } from '../../src/course/catalog.js';
import { StageHost } from '../../src/server/host.js';
import {
  binPath,
  type CliRun,
  cliPath,
  collectRun,
  freshHome,
  runCli,
  spawnCli,
  waitForOutput,
} from '../helpers.js';
import { plantedCli } from './fixture.js';

const planted = plantedCli();
const stackTrace = /\bat \S+:\d+/;

/** A clear user mistake: exit 2, one message naming the problem, no stack trace. */
function expectUsageError(run: CliRun, says: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(says);
  expect(run.stderr).not.toMatch(stackTrace);
  expect(run.stdout).not.toMatch(/Lesson \d+ of/);
}

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('mistyped lessons and ports', () => {
  it.each([
    [['lesson', '0'], /There is no lesson 0: lessons are numbered 1 to \d+/],
    [['lesson', '99'], /There is no lesson 99: lessons are numbered 1 to \d+/],
    [['lesson', 'x'], /"x" is not a lesson number: lessons are numbered 1 to \d+/],
    [['lesson', '-1'], /"-1" is not a lesson number/],
    [['start', '--from', '0'], /There is no lesson 0: lessons are numbered 1 to \d+/],
    [['start', '--from', '99'], /There is no lesson 99/],
    [['start', '--from', 'x'], /"x" is not a lesson number: lessons are numbered 1 to \d+/],
    [['serve', '0'], /There is no lesson 0/],
    [
      ['start', '--port', 'abc'],
      /^error: --port abc is not a port: use a whole number from 1 to 65535/,
    ],
    [
      ['start', '--port', '70000'],
      /--port 70000 is not a port: use a whole number from 1 to 65535/,
    ],
    [['serve', '5', '--port', '-1'], /--port -1 is not a port: use a whole number/],
    [['lesson', '1', '--port', '1.5'], /--port 1\.5 is not a port: use a whole number/],
  ])('%j → exit 2 naming the valid range', async (args, says) => {
    expectUsageError(await runCli(args), says);
  });

  // every mistake commander finds is said in one sentence of the tutor's own, naming the fix
  it.each([
    [
      ['lesson'],
      'error: `session-tutor lesson` needs a lesson number, such as `session-tutor lesson 3`.',
    ],
    [
      ['probe'],
      "error: `session-tutor probe` needs your server's address, such as `session-tutor probe http://localhost:3000`.",
    ],
    [['start', '--port'], 'error: --port needs a port after it, such as `--port 3000`.'],
    [
      ['lesson', '1', '2'],
      'error: `session-tutor lesson` takes at most 1 argument, not 2; `session-tutor lesson --help` shows how to use it.',
    ],
    [['lessn', '3'], 'error: session-tutor has no command lessn: did you mean lesson?'],
    [
      ['start', '--frm', '3'],
      'error: `session-tutor start` has no option --frm: did you mean --from?',
    ],
    [
      ['list', '--bogus'],
      'error: `session-tutor list` has no option --bogus; `session-tutor list --help` lists the ones it has.',
    ],
  ])('%j → exit 2 and one sentence', async (args, says) => {
    const run = await runCli(args);
    expectUsageError(run, /./);
    expect(run.stderr).toBe(`${says}\n`);
  });

  it.each([
    ['-v', [binPath, cliPath]],
    ['--version', [binPath, cliPath]],
    ['-V', [binPath]], // as before: the bin still answers it
  ])('%s prints the version', async (flag, entries) => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    for (const entry of entries) {
      const run = await collectRun(spawn(process.execPath, [entry, flag]), `${entry} ${flag}`);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it('a busy --port: says which port is busy and how to pick another', async () => {
    const { port, server } = await occupiedPort();
    try {
      const run = await runCli(['start', '--yes', '--port', String(port)]);
      expectUsageError(run, new RegExp(`Port ${port} is busy.*--port 0 for any free port`));
    } finally {
      server.close();
    }
  });
});

describe('a second copy while one runs', () => {
  it('refuses the port the first copy holds, with a clear message; the first goes on', async () => {
    const first = spawn(process.execPath, [planted, 'start', '--yes', '--port', '0'], {
      env: {
        ...process.env,
        NO_COLOR: '1',
        SESSION_TUTOR_HOME: freshHome(),
        FIXTURE_DEMO: 'pause',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // lesson 1 runs by itself; lesson 2, on the same port, pauses in its planted demo
      const [, port] = await waitForOutput(
        first,
        /running at http:\/\/localhost:(\d+)[\s\S]*a pause planted by the test/,
      );
      const second = await runCli(['start', '--yes', '--port', port]);
      expectUsageError(second, new RegExp(`Port ${port} is busy`));
      expect(first.exitCode).toBeNull();
      const answer = await fetch(`http://127.0.0.1:${port}/`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(answer.status).toBe(200);
    } finally {
      const ended = new Promise((resolve) => first.on('exit', resolve));
      first.kill('SIGTERM');
      await ended;
    }
  });

  it('without --port, moves to a free port and says so (the default port being taken)', async () => {
    // the default is 3000, which other programs on a test machine may hold: take another port
    // and give it to the StageHost as the default, the way `start` does when no --port is given
    const { port, server } = await occupiedPort();
    const host = new StageHost({ port, portAskedFor: false, host: '127.0.0.1', secret: 's' });
    try {
      const { stage, note } = await host.switchTo(findLesson(1));
      expect(stage.port).not.toBe(port);
      expect(note).toBe(`Port ${port} is busy, so this run uses port ${stage.port} instead.`);
      const { stage: next } = await host.switchTo(findLesson(2));
      expect(next.port).toBe(stage.port);
    } finally {
      await host.stop();
      server.close();
    }
  });
});

// Ports below this one need administrator rights; as root they do not, so the test drops to
// the unprivileged user `nobody` (uid 65534) to see what a learner sees.
const unprivilegedStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'),
);
const asRoot = process.getuid?.() === 0;

let readable: { node: string; cli: string } | undefined;

/**
 * Node and the built package, copied once to a folder anyone may read: the checkout may be
 * private to root (a clone in a `mktemp -d` folder), and so may the Node that runs the tests,
 * yet `nobody` must run them. The bundle needs no node_modules.
 */
function readableTutor(): { node: string; cli: string } {
  if (!readable) {
    const root = join(import.meta.dirname, '..', '..');
    const dir = mkdtempSync(join(tmpdir(), 'session-tutor-readable-'));
    for (const part of ['dist', 'lessons', 'src/stage/stages', 'package.json']) {
      cpSync(join(root, part), join(dir, part), { recursive: true });
    }
    copyFileSync(process.execPath, join(dir, 'node'));
    // readable by anyone, and Node and the folders also executable, whatever the umask was
    const openUp = (path: string) => {
      const folder = statSync(path).isDirectory();
      chmodSync(path, folder || path === join(dir, 'node') ? 0o755 : 0o644);
      if (folder) for (const entry of readdirSync(path)) openUp(join(path, entry));
    };
    openUp(dir);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    readable = { node: join(dir, 'node'), cli: join(dir, 'dist/cli.js') };
  }
  return readable;
}

/** Runs the CLI as `nobody` when the tests run as root, else as the current (unprivileged) user. */
function runUnprivileged(args: string[], home: string): Promise<CliRun> {
  const { node, cli } = asRoot ? readableTutor() : { node: process.execPath, cli: cliPath };
  const command = asRoot
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', node]
    : [node];
  const child = spawn(command[0], [...command.slice(1), cli, ...args], {
    env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectRun(child, `session-tutor ${args.join(' ')}, unprivileged`);
}

describe('a privileged port', () => {
  it.skipIf(unprivilegedStart <= 80)('--port 80 as an ordinary user: a clear error', async () => {
    const home = freshHome();
    chmodSync(home, 0o777);
    const run = await runUnprivileged(['lesson', '1', '--yes', '--port', '80'], home);
    expectUsageError(run, /Port 80 needs administrator rights.*pick one above 1023/);
  });
});

describe('a progress folder that cannot be used', () => {
  const lessonOne = ['lesson', '1', '--yes', '--port', '0'];

  it('a corrupt progress file is kept aside byte for byte, and new progress saved', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'progress.json'), '{"done": ["01-gold');
    const run = await runCli(lessonOne, { SESSION_TUTOR_HOME: home });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/could not be read .*kept it as .*progress\.json\.corrupt-/);
    const aside = readdirSync(home).find((f) => f.startsWith('progress.json.corrupt-')) as string;
    expect(readFileSync(join(home, aside), 'utf8')).toBe('{"done": ["01-gold');
    expect(JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).done).toEqual([
      '01-goldfish',
    ]);
  });

  it('a home that is not a folder: a warning, and the lesson still runs', async () => {
    const file = join(freshHome(), 'not-a-folder');
    writeFileSync(file, 'a file where the tutor expects a folder');
    const run = await runCli(lessonOne, { SESSION_TUTOR_HOME: join(file, 'home') });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ the same visitor, twice: forgotten/);
    expect(run.stderr).toMatch(/warning: cannot save progress .*SESSION_TUTOR_HOME/);
    expect(run.stderr).not.toMatch(stackTrace);
    expect(readFileSync(file, 'utf8')).toBe('a file where the tutor expects a folder');
  });

  // a folder that can never exist: mkdir answers ENOENT though its parent is there
  it.skipIf(!existsSync('/proc/self'))(
    'a home that cannot exist (/proc/nope): a warning, the lesson runs, serve answers SIGTERM',
    async () => {
      const run = await runCli(lessonOne, { SESSION_TUTOR_HOME: '/proc/nope' }, 30_000);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/✔ the same visitor, twice: forgotten/);
      expect(run.stderr).toMatch(/warning: cannot save progress to \/proc\/nope\/progress\.json/);
      expect(run.stderr).not.toMatch(stackTrace);

      // stage 2 is the first that signs cookies, so the first that keeps a development secret
      const serve = spawnCli(['serve', '2', '--port', '0'], { SESSION_TUTOR_HOME: '/proc/nope' });
      const ended = collectRun(serve, 'serve 2', 30_000);
      await waitForOutput(serve, /running at/);
      serve.kill('SIGTERM');
      const served = await ended;
      expect(served.code).toBe(143);
      expect(served.stdout).toMatch(/\/proc\/nope\/development-secret cannot be used \(ENOENT\)/);
    },
  );

  it('a progress file that is a folder: a warning, the lesson runs, nothing is left around', async () => {
    const home = freshHome();
    mkdirSync(join(home, 'progress.json'));
    const run = await runCli(lessonOne, { SESSION_TUTOR_HOME: home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ the same visitor, twice: forgotten/);
    expect(run.stderr).toMatch(/warning: cannot read .*progress\.json/);
    expect(run.stderr).toMatch(/warning: cannot save progress/);
    expect(readdirSync(home)).toEqual(['progress.json']);
  });

  it('a folder the learner may not write: a warning, the lesson runs, the old file is kept', async () => {
    const home = freshHome();
    const old = `${JSON.stringify({ done: ['01-goldfish'] })}\n`;
    writeFileSync(join(home, 'progress.json'), old);
    chmodSync(home, 0o555);
    chmodSync(join(home, 'progress.json'), 0o444);
    const run = await runUnprivileged(['lesson', '2', '--yes', '--port', '0'], home);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Summary/);
    expect(run.stderr).toMatch(/warning: cannot save progress .*(EACCES|permission denied)/i);
    expect(readFileSync(join(home, 'progress.json'), 'utf8')).toBe(old);
    expect(readdirSync(home)).toEqual(['progress.json']);
  });
});
