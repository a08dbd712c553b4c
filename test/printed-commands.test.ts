import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { Terminal } from './hardening/terminal.js';
import { collectRun, freshHome } from './helpers.js';

// Every command the course and the CLI print, run as written from the folder where it is
// printed, in the three ways a learner gets session-tutor: a clone (npx session-tutor in it),
// the package installed from its tarball (npx session-tutor where it is installed) and a global
// install (session-tutor on PATH). A command that would run until stopped (start, lesson, serve,
// exercise, watch, check --watch) is run with --help added, which proves the name finds this tutor and
// knows the command; every other command runs as printed.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

interface SetUp {
  name: string;
  /** How the README tells the learner to run the tutor there. */
  tutor: string;
  /** The prefix the tutor prints for itself in `cwd`. */
  printed: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

let work: string;
const setUps: SetUp[] = [];

beforeAll(async () => {
  work = freshHome();
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    { cwd: root, timeout: 120_000 },
  );
  const tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0].filename);
  const app = join(work, 'app');
  mkdirSync(app);
  const quiet = ['--offline', '--no-audit', '--no-fund'];
  await run('npm', ['install', ...quiet, tarball], { cwd: app, timeout: 120_000 });
  const prefix = join(work, 'global');
  await run('npm', ['install', '-g', ...quiet, '--prefix', prefix, tarball], {
    cwd: work,
    timeout: 120_000,
  });
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  const home = () => ({ NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome() });
  setUps.push(
    {
      name: 'a clone',
      tutor: 'npx session-tutor',
      printed: 'npx session-tutor',
      cwd: root,
      env: home(),
    },
    {
      name: 'an installed tarball',
      tutor: 'npx session-tutor',
      printed: 'npx session-tutor',
      cwd: app,
      env: home(),
    },
    {
      name: 'a global install',
      tutor: 'session-tutor',
      printed: 'session-tutor',
      cwd: elsewhere,
      env: { ...home(), PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH}` },
    },
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

let terminal: Terminal | undefined;
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 90_000) {
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectRun(child, command, timeoutMs);
}

const blocking = /\b(start|lesson|serve|exercise|watch)\b|--watch/;

/** Runs a printed command as written (or with --help, see above) from where it was printed. */
async function runsAsWritten(command: string, cwd: string, env: NodeJS.ProcessEnv) {
  const harmless = blocking.test(command) ? `${command} --help` : command;
  const result = await sh(harmless, cwd, env);
  const said = result.stdout + result.stderr;
  expect(said, `${harmless} in ${cwd}`).not.toMatch(/npm error|not found|ENOENT|E404/);
  if (harmless.endsWith('--help')) {
    expect(result.code, `${harmless}\n${said}`).toBe(0);
    expect(said).toMatch(/Usage: session-tutor/);
  } else {
    // it ran the tutor: check against whatever is at port 3000 (nothing, or someone's server)
    expect([0, 1, 2], `${harmless}\n${said}`).toContain(result.code);
    expect(said).toMatch(/session-tutor|Checking lesson|lesson|Progress/);
  }
}

const squeeze = (text: string) => text.replace(/\s+/g, ' ');

/**
 * The commands a lesson's text gives, as written in lessons/NN-slug/lesson.md, for a POSIX shell:
 * the PowerShell (`$env:…`) and cmd (`set …`) forms of the same command are Windows' own.
 */
function lessonCommands(): { lesson: number; command: string }[] {
  const windowsOnly = /^(\$env:|set )/;
  const fence = /^```[^\n]*\n([\s\S]*?)^```/gm;
  return listLessons().flatMap((lesson) => {
    const text = readFileSync(join(lesson.dir, 'lesson.md'), 'utf8');
    // a command alone on its lines, in a fenced block, or inline in a sentence
    const fenced = [...text.matchAll(fence)].flatMap((m) => m[1].split('\n'));
    const inline = [...text.replace(fence, '').matchAll(/`([^`\n]*session-tutor [^`\n]*)`/g)].map(
      (m) => m[1],
    );
    return [...fenced.filter((line) => line.includes('session-tutor ')), ...inline]
      .map((command) => ({ lesson: lesson.number, command: command.trim() }))
      .filter((c) => !windowsOnly.test(c.command));
  });
}

describe('every command session-tutor prints runs as written', () => {
  it('the lessons name their commands as npx session-tutor', () => {
    expect(lessonCommands().length).toBeGreaterThan(0);
    for (const { command } of lessonCommands()) expect(command).toContain('npx session-tutor ');
  });

  for (const [index, name] of ['a clone', 'an installed tarball', 'a global install'].entries()) {
    it(`in ${name}, from where each is printed (--help for those that run until stopped)`, async () => {
      const setUp = setUps[index];
      const { tutor, printed, cwd, env } = setUp;
      const ran: string[] = [];
      const check = async (command: string, folder = cwd) => {
        await runsAsWritten(command, folder, env);
        ran.push(command);
      };

      // the lessons' own commands, and Your turn's, as each lesson prints them
      for (const n of new Set([...lessonCommands().map((c) => c.lesson), 11])) {
        const shown = squeeze((await sh(`${tutor} lesson ${n} --yes --port 0`, cwd, env)).stdout);
        const commands = lessonCommands()
          .filter((c) => c.lesson === n)
          .map((c) => c.command.replace('npx session-tutor', printed));
        if (n === 11) {
          commands.push(`${printed} exercise 11`, `${printed} watch http://localhost:3000`);
        }
        for (const command of commands) {
          expect(shown, `${setUp.name}: lesson ${n}`).toContain(command);
          await check(command);
        }
      }

      // list's footer, reset, and check's pointer to list
      const list = (await sh(`${tutor} list`, cwd, env)).stdout;
      expect(list).toContain(`\n  ${printed} start\n`);
      await check(`${printed} start`);
      const reset = (await sh(`${tutor} reset --yes`, cwd, env)).stdout;
      expect(reset).toContain(`\n  ${printed} start\n`);
      const noChecks = await sh(`${tutor} check 9`, cwd, env);
      expect(noChecks.stderr).toContain(`\`${printed} list\``);
      await check(`${printed} list`);

      // eject: its message and its README name a command that runs from the ejected folder
      const ejected = await sh(`${tutor} eject 5`, cwd, env);
      expect(ejected.code, ejected.stderr).toBe(0);
      const folder = ejected.stdout.match(/Stage 5 is in (.+?): /)?.[1] as string;
      const fromThere = ejected.stdout.match(/in the same folder: (.+ check 5)\n/)?.[1] as string;
      expect(fromThere).toBeDefined();
      await check(fromThere, folder);
      const readme = readFileSync(join(folder, 'README.md'), 'utf8');
      const inReadme = [...readme.matchAll(/^(.*session-tutor.*? check 5(?: --watch)?)\s/gm)].map(
        (m) => m[1].trim(),
      );
      expect(inReadme).toEqual([fromThere, `${fromThere} --watch`]);
      for (const command of inReadme) await check(command, folder);

      // Stopped, as q prints it in a terminal
      terminal = new Terminal(`${tutor} start --port 0`, env as Record<string, string>, cwd);
      await terminal.waitFor(/page 1\/\d+/, 30_000);
      terminal.keys('q');
      const stopped = (await terminal.ended()).screen.match(
        /Stopped\. To pick up at lesson 1:\n {2}(.+?) start\n/,
      )?.[1];
      expect(stopped).toBe(printed);
      await check(`${stopped} start`);

      expect(ran.length).toBeGreaterThanOrEqual(10);
    }, 400_000);
  }
});
