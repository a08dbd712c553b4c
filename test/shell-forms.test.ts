import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runnableHere, tutorCommand } from '../src/cli/tutor-command.js';
import { listLessons } from '../src/course/catalog.js';
import { quotedPath } from '../src/course/not-run.js';
import { secretGenerator } from '../src/stage/secret.js';
import { collectRun, freshHome } from './helpers.js';

// Every command a lesson prints that sets a variable comes in three forms, one per shell a learner
// may type it in: bash (or zsh), PowerShell and cmd. Each form is run in its own shell where that
// shell exists: bash here; PowerShell and cmd on Windows in CI (.github/workflows/platforms.yml),
// where a missing one fails the test. PowerShell is not a Debian package, and npm's `pwsh`
// downloads it from GitHub when installed, so on this Linux the PowerShell and cmd forms are
// checked as text: built from the same generator, setting the same variables, running the same
// command as the bash form, which runs.

const root = fileURLToPath(new URL('..', import.meta.url));
const shells = ['bash, zsh', 'PowerShell', 'cmd'] as const;
type Shell = (typeof shells)[number];

/** The printed commands of each lesson, as `- <shell>: \`command\`` lines, grouped in threes. */
function shellForms(): { lesson: number; forms: Record<Shell, string> }[] {
  const found = [];
  for (const lesson of listLessons()) {
    const text = readFileSync(join(lesson.dir, 'lesson.md'), 'utf8');
    const lines = [...text.matchAll(/^- ([^:]+): `(.+)`$/gm)];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i][1] !== shells[0]) continue;
      const forms = Object.fromEntries(
        shells.map((shell, k) => {
          expect(lines[i + k]?.[1], `lesson ${lesson.number}: the ${shell} form`).toBe(shell);
          return [shell, lines[i + k][2]];
        }),
      ) as Record<Shell, string>;
      found.push({ lesson: lesson.number, forms });
    }
  }
  return found;
}

/** Inline code that sets a variable for a command, or exports one: bash syntax. */
const setsVariable = /^(export\s+)?[A-Z][A-Z0-9_]*=\S*\s+\S|^export\s|^\$env:|^set\s|^for \/f/;

const has = (command: string) => {
  try {
    execFileSync(command, ['-Command', 'exit 0'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
};
const hasPwsh = has('pwsh');

/** Runs `script` in `shell` from the clone's root; resolves with its exit code and output. */
function runIn(shell: Shell, script: string, env: NodeJS.ProcessEnv = {}) {
  const [command, args] =
    shell === 'bash, zsh'
      ? ['bash', ['-c', script]]
      : shell === 'PowerShell'
        ? ['pwsh', ['-NoProfile', '-Command', script]]
        : ['cmd', ['/d', '/v:on', '/s', '/c', `"${script}"`]];
  return collectRun(
    spawn(command, args as string[], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsVerbatimArguments: shell === 'cmd',
    }),
    script,
    120_000,
  );
}

const onWindows = process.platform === 'win32';
const runs: Record<Shell, boolean> = {
  'bash, zsh': !onWindows,
  // every Windows has cmd, and GitHub's Windows runners have pwsh: there a missing one fails
  PowerShell: onWindows || hasPwsh,
  cmd: onWindows,
};
/** Said in the name of a test that runs a form, so a skip reads as what it is. */
const where: Record<Shell, string> = {
  'bash, zsh': 'in bash; skipped on Windows',
  PowerShell: 'in pwsh; skipped where pwsh is missing, as on Debian, never on Windows',
  cmd: 'in cmd; skipped off Windows',
};

/** What a form sets, name → value, and the command it runs, read by that shell's syntax. */
function readForm(shell: Shell, form: string): { sets: Record<string, string>; runs: string } {
  const sets: Record<string, string> = {};
  let rest = form;
  const step: Record<Shell, RegExp> = {
    'bash, zsh': /^([A-Z_]+)=(\S+) /,
    PowerShell: /^\$env:([A-Z_]+)='([^']*)'; /,
    cmd: /^set ([A-Z_]+)=([^&]*)&& /,
  };
  for (let m = rest.match(step[shell]); m; m = rest.match(step[shell])) {
    sets[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  return { sets, runs: rest };
}

/** What to append to a form so that the shell prints the secret it set. */
const printSecret: Record<Shell, (form: string) => string> = {
  'bash, zsh': (form) => `${form}; printf %s "$SESSION_SECRET"`,
  PowerShell: (form) => `${form}; Write-Output $env:SESSION_SECRET`,
  cmd: (form) => `(${form}) >nul & echo !SESSION_SECRET!`,
};

describe('commands the lessons print', () => {
  it('give a bash, a PowerShell and a cmd form wherever they set a variable', () => {
    const forms = shellForms();
    expect(forms.map((f) => f.lesson)).toEqual([2, 11]);
    const inForms = new Set(forms.flatMap((f) => Object.values(f.forms)));
    for (const lesson of listLessons()) {
      const text = readFileSync(join(lesson.dir, 'lesson.md'), 'utf8');
      expect(text, `lesson ${lesson.number}`).not.toContain('openssl');
      for (const [, code] of text.matchAll(/`([^`\n]+)`/g)) {
        if (setsVariable.test(code))
          expect(inForms, `lesson ${lesson.number}: ${code}`).toContain(code);
      }
    }
  });

  const secret = shellForms().find((f) => f.lesson === 2)?.forms as Record<Shell, string>;
  const production = shellForms().find((f) => f.lesson === 11)?.forms as Record<Shell, string>;

  it('run, in lesson 2, the one secret generator that the ejected README and the stages name', () => {
    expect(secret).toEqual({
      'bash, zsh': `export SESSION_SECRET="$(${secretGenerator})"`,
      PowerShell: `$env:SESSION_SECRET = ${secretGenerator}`,
      cmd: `for /f %s in ('${secretGenerator}') do set SESSION_SECRET=%s`,
    });
  });

  it('set, in lesson 11, the same variables to the same values and run the same command in every shell', () => {
    const read = shells.map((shell) => readForm(shell, production[shell]));
    expect(read[0]).toEqual({
      sets: { NODE_ENV: 'production', SESSION_SECRET: 'short' },
      runs: 'npx session-tutor serve 11',
    });
    for (const form of read.slice(1)) expect(form).toEqual(read[0]);
  });

  it("pass, in lesson 11, through the tutor's command builder whole: every form runs the tutor that printed it", () => {
    // away from the clone, npx would ask the registry: each form gets the same runnable command
    const away = freshHome();
    const command = tutorCommand(away);
    for (const shell of shells) {
      const printed = runnableHere(production[shell], away);
      expect(readForm(shell, printed).runs, shell).toBe(`${command} serve 11`);
      expect(runnableHere(production[shell], root), shell).toBe(production[shell]);
    }
  });

  for (const shell of shells) {
    it.skipIf(!runs[shell])(
      `lesson 2's ${shell} form sets SESSION_SECRET to 32 random bytes (${where[shell]})`,
      async () => {
        if (shell === 'PowerShell')
          expect(hasPwsh, 'pwsh, which every Windows runner has').toBe(true);
        const first = await runIn(shell, printSecret[shell](secret[shell]));
        const second = await runIn(shell, printSecret[shell](secret[shell]));
        expect(first.stderr).toBe('');
        expect(first.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
        expect(second.stdout.trim()).not.toBe(first.stdout.trim());
      },
    );

    it.skipIf(!runs[shell])(
      `lesson 11's ${shell} form shows stage 11 refusing a short secret (${where[shell]})`,
      async () => {
        if (shell === 'PowerShell')
          expect(hasPwsh, 'pwsh, which every Windows runner has').toBe(true);
        const run = await runIn(shell, production[shell], { SESSION_SECRET: '', NODE_ENV: '' });
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(
          'NODE_ENV is production and SESSION_SECRET holds a weak secret (5 characters)',
        );
      },
    );
  }
});

describe('the "run it on Node 24" command', () => {
  it('quotes a path with spaces in double quotes, which every shell reads, and cmd needs', () => {
    expect(quotedPath('C:\\Users\\Ada Lovelace\\tutor\\dist\\session-tutor.cjs', 'win32')).toBe(
      '"C:\\Users\\Ada Lovelace\\tutor\\dist\\session-tutor.cjs"',
    );
    expect(quotedPath('/home/ada/my tutor/dist/session-tutor.cjs', 'linux')).toBe(
      '"/home/ada/my tutor/dist/session-tutor.cjs"',
    );
    expect(quotedPath('/home/ada/tutor/dist/session-tutor.cjs', 'linux')).toBe(
      '/home/ada/tutor/dist/session-tutor.cjs',
    );
  });

  it.skipIf(process.platform === 'win32')(
    'single-quotes a POSIX path that double quotes would change, and bash reads it whole',
    () => {
      const path = "/tmp/Ada's $HOME `x` !1/dist/session-tutor.cjs";
      const quoted = quotedPath(path, 'linux');
      expect(execFileSync('bash', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' })).toBe(path);
    },
  );
});
