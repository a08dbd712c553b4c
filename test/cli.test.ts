import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexer } from 'marked';
import { describe, expect, it } from 'vitest';
import { readingWords } from '../src/cli/lesson-words.js';
import { commandsToCopy, renderMarkdown } from '../src/cli/markdown.js';
import { renderPageMarkdown } from '../src/cli/page-markdown.js';
import { minutesFor, wordsPerMinute } from '../src/cli/reading-times.js';
import { displayWidth } from '../src/cli/width.js';
import {
  findLesson,
  isDirective,
  listLessons,
  pageParts,
  readPages,
} from '../src/course/catalog.js';
import { greets } from '../src/probe/verdict.js';
import { somebodyListensOn } from './hardening/leftovers.js';
import { freshHome, runCli, spawnCli, waitForOutput, withVisitors } from './helpers.js';

describe('session-tutor --version and --help', () => {
  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('runs as `npx session-tutor`, the README says, from the clone it was built in', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const version = execFileSync('npx', ['--no-install', 'session-tutor', '--version'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('lists every command in --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['start', 'list', 'lesson', 'serve', 'reset'])
      expect(run.stdout).toContain(command);
  });

  it('says in --help how to begin, the keys, the environment and the exit codes', async () => {
    const home = freshHome();
    const run = await runCli(['--help'], { SESSION_TUTOR_HOME: home });
    expect(run.stdout).toMatch(/Begin with:\n {2}npx session-tutor start\n/);
    for (const key of ['Enter', '← ', 'PgUp', 'Home', ' f ', ' h ', ' q or Esc'])
      expect(run.stdout.slice(run.stdout.indexOf('Keys in a lesson'))).toContain(key);
    expect(run.stdout).toMatch(/SESSION_SECRET +what the demo servers sign/);
    expect(run.stdout).toMatch(new RegExp(`SESSION_TUTOR_HOME .*now\\s+${home}\n`));
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}130 /);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('wraps --help at words to a 60-column terminal, each meaning under its own column', async () => {
    for (const args of [['--help'], ['check', '--help'], ['start', '--help']]) {
      const run = await runCli(args, { COLUMNS: '60' });
      for (const line of run.stdout.split('\n'))
        expect(displayWidth(line), line).toBeLessThanOrEqual(60);
    }
    const help = (await runCli(['--help'], { COLUMNS: '60' })).stdout;
    expect(help).toMatch(
      /^ {2}SESSION_SECRET {7}what the demo servers sign session\n {23}cookies/m,
    );
  });
});

describe('session-tutor list', () => {
  it('prints the lessons as JSON with what is done', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'progress.json'), JSON.stringify({ done: ['01-goldfish'] }));
    const run = await runCli(['list', '--json'], { SESSION_TUTOR_HOME: home });
    expect(run.code).toBe(0);
    const lessons = JSON.parse(run.stdout);
    expect(lessons[0]).toEqual({
      number: 1,
      slug: 'goldfish',
      title: 'The goldfish',
      done: true,
      exercise: false,
      minutes: minutesFor(readingWords(findLesson(1))),
    });
    expect(lessons[1]).toMatchObject({ number: 2, done: false });
    expect(lessons.length).toBeGreaterThanOrEqual(6);
  });

  it('reads word counts that the build took from the lessons as they are now', () => {
    const built = JSON.parse(
      readFileSync(new URL('../dist/reading-words.json', import.meta.url), 'utf8'),
    );
    expect(built).toEqual(Object.fromEntries(listLessons().map((l) => [l.name, readingWords(l)])));
  });

  it("draws every lesson's first page from what the build read of it, as marked draws it now", async () => {
    const built = JSON.parse(
      readFileSync(new URL('../dist/first-pages.json', import.meta.url), 'utf8'),
    );
    const texts = listLessons()
      .flatMap((l) => pageParts(readPages(l)[0]))
      .filter((part) => !isDirective(part));
    expect(texts.length).toBeGreaterThanOrEqual(listLessons().length);
    for (const text of texts) {
      // a placeholder is filled in at run time, so marked reads that text as it is drawn
      if (text.includes('{{')) continue;
      expect(built[text]).toEqual(JSON.parse(JSON.stringify(lexer(text))));
      expect(await renderPageMarkdown(text, 76)).toBe(renderMarkdown(text, 76));
    }
  });

  it('counts for each lesson the words its run shows, demos included, to within a minute', async () => {
    const run = await runCli(['start', '--yes', '--no-color', '--port', '0'], {
      SESSION_TUTOR_HOME: freshHome(),
      COLUMNS: '100',
    });
    const headers = [...run.stdout.matchAll(/^Lesson (\d+) of \d+ · /gm)];
    const summary = run.stdout.search(/^Summary\b/m);
    const lessons = listLessons();
    expect(headers.map((h) => Number(h[1]))).toEqual(lessons.map((l) => l.number));
    headers.forEach((header, i) => {
      const end = headers[i + 1]?.index ?? summary;
      const shown = run.stdout.slice(header.index, end).split(/\s+/).filter(Boolean).length;
      // bench/words-on-screen.json, kept by `node bench/words.js`: rerun it when lessons change
      const kept = readingWords(lessons[i]);
      expect(Math.abs(minutesFor(shown) - minutesFor(kept)), lessons[i].name).toBeLessThanOrEqual(
        1,
      );
      expect(kept).toBeGreaterThan(0);
    });
  }, 180_000);

  it('fits every line of the unattended course in 60 columns but a command to copy, which stands whole on a line of its own', async () => {
    const run = await runCli(['start', '--yes', '--no-color', '--port', '0'], {
      SESSION_TUTOR_HOME: freshHome(),
      COLUMNS: '60',
    });
    expect(run.code, run.stderr).toBe(0);
    const commands = listLessons().flatMap((lesson) => readPages(lesson).flatMap(commandsToCopy));
    expect(commands.length).toBeGreaterThan(0);
    const command = (line: string) => line.startsWith('  npx ') || commands.includes(line.trim());
    const tooLong = run.stdout
      .split('\n')
      .filter((line) => displayWidth(line) > 60 && !command(line));
    expect(tooLong).toEqual([]);
    const lines = run.stdout.split('\n').map((line) => line.trim());
    for (const text of commands) expect(lines).toContain(text);
  }, 180_000);

  it('estimates a reading time per lesson from its words, and the README gives the total', async () => {
    const run = await runCli(['list'], { SESSION_TUTOR_HOME: freshHome() });
    expect(run.code).toBe(0);
    const words = listLessons().map(readingWords);
    for (const [i, lesson] of listLessons().entries()) {
      const minutes = Math.max(1, Math.round(words[i] / wordsPerMinute));
      const title = lesson.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(run.stdout).toMatch(new RegExp(`${lesson.number}  ${title} +${minutes} min\\n`));
    }
    const total = Math.round(words.reduce((a, b) => a + b, 0) / wordsPerMinute);
    expect(run.stdout).toContain(
      `About ${total} minutes of reading in all, demos included,\nat ${wordsPerMinute} words a minute.`,
    );
    expect(run.stdout).toContain('0 of 12 done. Lesson 1 is next:\n  npx session-tutor start\n');
    // every line fits 60 columns, the command to copy excepted
    const tooLong = run.stdout
      .split('\n')
      .filter((line) => line.length > 60 && !line.startsWith('  '));
    expect(tooLong).toEqual([]);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`The course is about ${total} minutes of reading`);
  });

  it('after the last lesson, says how to open any lesson again, the command on its own line', async () => {
    const home = freshHome();
    const done = listLessons().map((l) => l.name);
    writeFileSync(join(home, 'progress.json'), JSON.stringify({ done }));
    const run = await runCli(['list', '--no-color'], { SESSION_TUTOR_HOME: home });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `All ${done.length} lessons done. Open any of them again with:\n  npx session-tutor lesson N\n`,
    );
  });

  it('keeps a corrupt progress file aside and says so', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'progress.json'), '{ not json');
    const run = await runCli(['list', '--json'], { SESSION_TUTOR_HOME: home });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/could not be read .*kept it as .*progress\.json\.corrupt-/);
    const aside = readdirSync(home).find((f) => f.startsWith('progress.json.corrupt-'));
    expect(aside && readFileSync(join(home, aside), 'utf8')).toBe('{ not json');
  });
});

describe('session-tutor start --yes', () => {
  it('walks the course with live demos, shows both verdicts and records progress', async () => {
    const home = freshHome();
    const run = await runCli(['start', '--yes', '--port', '0'], { SESSION_TUTOR_HOME: home });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ goldfish \(no cookie jar\): forgotten/);
    expect(run.stdout).toMatch(/✔ Grace \(cookie jar\): remembered/);
    expect(run.stdout).toMatch(/Set-Cookie: connect\.sid=s%3A/);
    expect(run.stdout).toMatch(/Stage 5 is running at http:\/\/localhost:\d+/);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(run.stdout).toMatch(new RegExp(`✔ +${n} `));
    // each stage's code as what changed since the one before; lesson 1, with none before, whole
    expect(run.stdout).toContain('── src/stage/stages/01-goldfish.ts ──');
    for (const n of [2, 3, 4, 5, 6])
      expect(run.stdout).toMatch(new RegExp(`stages/0${n}-.*: what changed since stage ${n - 1}`));
    expect(run.stdout).not.toContain('the whole file');
    const progress = JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
    expect(progress.done).toEqual(expect.arrayContaining(['01-goldfish', '06-preview']));
  });

  it('stops quietly when its reader goes away, as with `| head`', async () => {
    const child = spawnCli(['start', '--yes', '--port', '0']);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitForOutput(child, /Lesson 1 of/);
    child.stdout?.destroy();
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });

  it('starts at the lesson given with --from', async () => {
    const run = await runCli(['start', '--yes', '--from', '5', '--port', '0']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Lesson 5 of');
    expect(run.stdout).not.toContain('Lesson 4 of');
  });

  it('names the valid range for a lesson that does not exist', async () => {
    const run = await runCli(['lesson', '99']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/There is no lesson 99: lessons are numbered 1 to \d+/);
    expect(run.stderr).not.toMatch(/\bat \S+:\d+/);
  });

  it('says which port is busy and how to choose another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(['serve', '5', '--port', String(port)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Port ${port} is busy`);
      expect(run.stderr).toContain('--port 0');
    } finally {
      blocker.close();
    }
  });
});

describe('session-tutor serve', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`runs stage 5 until ${signal}, remembering a jar and forgetting a goldfish, then frees the port`, async () => {
      const child = spawnCli(['serve', '5', '--port', '0']);
      const [, url] = await waitForOutput(child, /running at (http:\/\/localhost:\d+)/);
      const probeUrl = url.replace('localhost', '127.0.0.1');
      await withVisitors(['jar', 'goldfish'], async (jar, goldfish) => {
        await jar.post(`${probeUrl}/setName`, { name: 'Grace' });
        await goldfish.post(`${probeUrl}/setName`, { name: 'Ada' });
        expect(greets((await jar.get(`${probeUrl}/`))[0], 'Grace')).toBe(true);
        expect(greets((await goldfish.get(`${probeUrl}/`))[0], 'Ada')).toBe(false);
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      child.kill(signal);
      expect(await exited).toBe(code);
      const port = Number(new URL(url).port);
      const free = createServer();
      await new Promise<void>((resolve, reject) => {
        free.once('error', reject);
        free.listen(port, '127.0.0.1', resolve);
      });
      free.close();
    });
  }
});

describe('session-tutor serve, per stage', () => {
  const stopped = (child: ReturnType<typeof spawnCli>) => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    return exited;
  };

  it('serve 1 says nothing of sessions or secrets: stage 1 has none', async () => {
    const child = spawnCli(['serve', '1', '--port', '0']);
    const [said] = await waitForOutput(child, /[\s\S]*Press Ctrl-C to stop it\./);
    expect(await stopped(child)).toBe(143);
    expect(said).not.toMatch(/session|SESSION_SECRET/i);
  });

  it('serve 12 starts the attack page its "Try it" opens, and stops it with the stage', async () => {
    const child = spawnCli(['serve', '12', '--port', '0']);
    const [, port] = await waitForOutput(child, /the attack page is at http:\/\/localhost:(\d+)\//);
    await withVisitors(['goldfish'], async (visitor) => {
      const [page] = await visitor.get(`http://127.0.0.1:${port}/`);
      expect(page.body).toContain('document.forms[0].submit()');
    });
    expect(await stopped(child)).toBe(143);
    expect(somebodyListensOn(Number(port))).toBe(false);
  });
});

describe('session-tutor reset', () => {
  it('forgets progress without asking when stdin is not a terminal', async () => {
    const home = freshHome();
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'progress.json'), JSON.stringify({ done: ['01-goldfish'] }));
    const run = await runCli(['reset'], { SESSION_TUTOR_HOME: home });
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).done).toEqual([]);
  });
});
