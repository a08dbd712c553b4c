import { type ChildProcess, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { somebodyListensOn } from './hardening/leftovers.js';
import { Terminal } from './hardening/terminal.js';
import { cliPath, freshHome, runCli, spawnCli } from './helpers.js';

// The exercises as a learner does them: the tutor copies the stage before into a folder of the
// learner's own, runs it, and checks it on every save. The "learner" here edits with scripted
// patches: session-tutor's own stage N (which is what the lesson's change gives), or a wrong one.

const root = join(import.meta.dirname, '..');

/** Stage N as eject writes it, in a folder of its own: the reference a patch copies from. */
async function reference(n: number): Promise<string> {
  const dir = join(freshHome(), `stage-${n}`);
  const run = await runCli(['eject', String(n), dir]);
  expect(run.code).toBe(0);
  return dir;
}

/**
 * Applies stage N's change to the learner's folder as a learner would make it: stage N's code
 * into the stage file they edit (the stage before's), and its helpers; not package.json, nor
 * server.js, which only starts the stage (lesson 1, which starts from an empty server.js, takes all).
 */
function applyStage(from: string, to: string, n: number): void {
  const lessons = listLessons();
  const i = lessons.findIndex((l) => l.number === n);
  const own = `stages/${lessons[i].name}.js`;
  for (const file of readdirSync(from, { recursive: true, encoding: 'utf8' })) {
    const path = file.split('\\').join('/');
    if (statSync(join(from, file)).isDirectory() || ['package.json', 'README.md'].includes(path))
      continue;
    if (i > 0 && path === 'server.js') continue;
    const target = i > 0 && path === own ? stageFile(i - 1) : path;
    mkdirSync(dirname(join(to, target)), { recursive: true });
    cpSync(join(from, file), join(to, target));
  }
}

/** The file eject writes for the stage at `index` in the course: what the learner edits. */
const stageFile = (index: number) => `stages/${listLessons()[index].name}.js`;

/** Everything a child has written to stdout so far, and a way to wait for what comes next. */
function watchOutput(child: ChildProcess) {
  let seen = '';
  child.stdout?.on('data', (d) => {
    seen += d;
  });
  return {
    text: () => seen,
    async until(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(seen)) {
        if (child.exitCode !== null) throw new Error(`ended before ${pattern}:\n${seen}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${seen}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return seen;
    },
  };
}

/** What `git status` shows in the clone: what a learner's run would add to the tutor's tree or change in it. */
const gitStatus = () =>
  execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
    cwd: root,
    encoding: 'utf8',
  });

describe('exercise N: every lesson with HTTP checks', () => {
  it('starts failing from the stage before and is passed by the lesson’s own change; after the whole course and every exercise, git status in the clone is unchanged', async () => {
    const statusBefore = gitStatus();
    // the whole course first, from the clone, as its README has the learner run it
    const course = await runCli(['start', '--yes', '--port', '0'], {}, 180_000);
    expect(course.code, course.stderr).toBe(0);
    expect(course.stdout).toContain('You have finished the course');
    const lessons = listLessons().filter((l) => l.checksOverHttp);
    expect(lessons.map((l) => l.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 11, 12]);
    for (const lesson of lessons) {
      const n = lesson.number;
      const home = freshHome();
      const child = spawnCli(['exercise', String(n)], { SESSION_TUTOR_HOME: home });
      const out = watchOutput(child);
      const closed = once(child, 'close');
      try {
        const dir = join(home, 'exercises', lesson.name);
        if (lesson.sameOnTheWireAsBefore && n > 1) {
          // lesson 2: stage 1 sends no cookie either, and the exercise says so; a change that
          // makes a session for every visitor is what its check catches
          await out.until(/already passes/);
          const naive = await reference(n);
          const code = readFileSync(join(naive, 'stages/02-secret.js'), 'utf8');
          expect(code).toContain('saveUninitialized: false');
          applyStage(naive, dir, n);
          writeFileSync(
            join(dir, 'stages/01-goldfish.js'),
            code.replace('saveUninitialized: false', 'saveUninitialized: true'),
          );
          await out.until(/✘ GET \/ answers without a session cookie while nothing is stored/);
        } else {
          await out.until(/^✘ /m);
        }
        expect(out.text(), lesson.name).not.toContain(`exercise ${n} is done`);
        applyStage(await reference(n), dir, n);
        const [code] = await closed;
        expect(code, `${lesson.name}\n${out.text()}`).toBe(0);
        expect(out.text()).toContain(`exercise ${n} is done`);
        // lesson 1 has a single expectation, and says so in the singular
        if (n === 1) expect(out.text()).toContain('The one expectation of lesson 1 passes:');
        const progress = JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
        expect(progress.exercises).toEqual([lesson.name]);
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await closed;
        }
      }
    }
    expect(gitStatus()).toBe(statusBefore);
  }, 780_000);

  it('lessons 9 and 10 have no exercise and say why, naming the stage to read', async () => {
    for (const n of [9, 10]) {
      const run = await runCli(['exercise', String(n)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Lesson ${n}`);
      expect(run.stderr).toContain('cannot be seen over HTTP');
      expect(run.stderr).not.toContain('    at ');
    }
  });

  it('--url checks a server the learner runs, and says once where the reference stage lives', async () => {
    const home = freshHome();
    const child = spawnCli(['exercise', '5', '--url', 'http://127.0.0.1:9'], {
      SESSION_TUTOR_HOME: home,
    });
    const out = watchOutput(child);
    try {
      const text = await out.until(/Waiting for your server to answer/);
      expect(text).toContain(listLessons()[4].stageSource);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  });
});

let terminal: Terminal | undefined;
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

describe('the exercise from a lesson, in a terminal', () => {
  it('e on Your turn: the stage before fails, the lesson’s change turns it green, then the comparison', async () => {
    const home = freshHome();
    const patch = await reference(5);
    terminal = new Terminal(`${process.execPath} ${cliPath} lesson 5 --port 0`, {
      SESSION_TUTOR_HOME: home,
    });
    const t = terminal;
    await t.pageUntil(/\[e\] exercise/);
    t.keys('e');
    let screen = await t.waitFor(
      /✘ a browser that sends the cookie back is greeted by its name/,
      60_000,
    );
    expect(screen).toContain('hint: In GET /, read req.session.myName');
    const port = Number(screen.match(/running at http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
    expect(port).toBeGreaterThan(0);

    applyStage(patch, join(home, 'exercises', '05-remember'), 5);
    screen = await t.waitFor(/exercise 5 is done[\s\S]*\[Enter\] go on/, 60_000);
    expect(screen).toContain('Your change, from stage 4:');
    expect(screen).toContain("session-tutor's stage 5, from the same start:");
    expect(screen).toMatch(/^\+ +res\.send\(page\(`Hello, .*escapeHtml\(name\)/m);
    expect(somebodyListensOn(port)).toBe(false);

    t.keys('q');
    await t.waitFor(/page 4\/4 .*\[e\] exercise.*\n*$/);
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
    const list = await runCli(['list', '--json'], { SESSION_TUTOR_HOME: home });
    expect(JSON.parse(list.stdout)[4]).toMatchObject({ number: 5, exercise: true });
  }, 180_000);

  it('a wrong change shows the failing expectation and its hint; quitting keeps the work, and it resumes', async () => {
    const home = freshHome();
    const patch = await reference(5);
    terminal = new Terminal(`${process.execPath} ${cliPath} lesson 5 --port 0`, {
      SESSION_TUTOR_HOME: home,
    });
    const t = terminal;
    await t.pageUntil(/\[e\] exercise/);
    t.keys('e');
    await t.waitFor(/✘ a browser that sends the cookie back/, 60_000);

    // greets by name, but puts the name into the page unescaped
    const dir = join(home, 'exercises', '05-remember');
    applyStage(patch, dir, 5);
    const wrong = readFileSync(join(patch, 'stages/05-remember.js'), 'utf8').replace(
      'escapeHtml(name)',
      'name',
    );
    writeFileSync(join(dir, 'stages/04-store-name.js'), wrong);
    // the screen keeps earlier frames above: wait for the one drawn after the change
    const screen = await t.waitFor(
      /✔ a browser that sends the cookie back is greeted by its name\n.*\n.*\n✘ a name with HTML in it is shown as text, escaped[\s\S]*hint: Put the name into the page through escapeHtml/,
      60_000,
    );
    expect(screen).not.toContain('exercise 5 is done');

    t.keys('q');
    await t.waitFor(/page 4\/4 .*\[e\] exercise.*\n*$/);
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
    t.close();

    // coming back: the same folder, the same work, the same failing expectation
    expect(readFileSync(join(dir, 'stages/04-store-name.js'), 'utf8')).toBe(wrong);
    terminal = new Terminal(`${process.execPath} ${cliPath} exercise 5`, {
      SESSION_TUTOR_HOME: home,
    });
    const again = await terminal.waitFor(
      /✘ a name with HTML in it is shown as text, escaped/,
      60_000,
    );
    expect(again).toContain('Your work from before is kept in');
    terminal.keys('q');
    expect((await terminal.ended()).code).toBe(0);
  }, 180_000);
});
