#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Command, type CommanderError, InvalidArgumentError, Option } from 'commander';
import { type LessonInfo, lessonFrom } from '../course/catalog.js';
import { tutorHome } from '../home.js';
import { packageRoot } from '../paths.js';
import { Refusal } from '../stage/refusal.js';
import { list } from './commands/list.js';
import type { NextStep } from './commands/start.js';
import { endUnexpectedly, handleSignals, shutdown, shuttingDown } from './shutdown.js';

// The bundle's entry (npm run build): `--help` and `list` run from this one file (the bin,
// dist/session-tutor.cjs, answers `--version` before loading it).
// Every other command, and the heavy modules (express, undici, tough-cookie), load from chunks
// when they are needed.

function portNumber(text: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError(
      'is not a port: use a whole number from 1 to 65535, or 0 for any free port',
    );
  }
  return port;
}

// The options that start, lesson and serve share, each declared once.
const portOption = new Option(
  '--port <port>',
  'port for the demo server (default 3000, or a free one if 3000 is busy)',
).argParser(portNumber);
const hostOption = new Option('--host <host>', 'address the demo server listens on').default(
  '127.0.0.1',
);
const openOption = new Option('--open', 'open the demo server in your default browser');
const storeOption = new Option(
  '--store <store>',
  'where sessions live: memory, sqlite[:FILE] or redis://HOST:PORT',
).default('memory');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** What commander would have said about a mistake on the command line, kept for a fallback. */
let commanderSaid = '';

/** The commands; each one but `list` loads its code only when it runs. */
function buildProgram(): Command {
  const program = new Command()
    .name('session-tutor')
    .description(
      'Learn, with live servers, how a web server remembers a visitor over stateless HTTP.',
    )
    .version(packageVersion(), '-v, --version')
    .option('--no-color', 'plain text without colours (NO_COLOR is honoured too)')
    // main() says what was wrong in the tutor's words (src/cli/usage.ts)
    // descriptions wrap under their column from 60 columns up (commander gives up below 40 left)
    .configureHelp({ minWidthToWrap: 20 })
    .configureOutput({
      getOutHelpWidth: helpColumns,
      outputError: (text) => {
        commanderSaid += text;
      },
    })
    .exitOverride()
    .addHelpText('after', () => helpAfter());

  program
    .command('start')
    .description('walk through the lessons, resuming at the first one not yet finished')
    .option('--from <lesson>', 'start at this lesson', lessonFrom)
    .option(
      '-y, --yes',
      'advance by itself and end with a summary (also when stdin is not a terminal)',
    )
    .addOption(portOption)
    .addOption(hostOption)
    .addOption(openOption)
    .addOption(storeOption)
    .action(async (options, command: Command) => {
      const { start } = await import('./commands/start.js');
      return start({ ...options, whatNext: whatNext(command.parent as Command) });
    });

  program
    .command('list')
    .description('list the lessons and their reading times, with the ones you have finished marked')
    .option('--json', 'print an array of { number, slug, title, done, exercise, minutes }')
    .action((options) => list(options));

  program
    .command('lesson')
    .description('open one lesson')
    .argument('<n>', 'lesson number', lessonFrom)
    .option('-y, --yes', 'advance by itself (also when stdin is not a terminal)')
    .addOption(portOption)
    .addOption(hostOption)
    .addOption(openOption)
    .addOption(storeOption)
    .action(async (n: LessonInfo, options) => {
      const { lesson } = await import('./commands/start.js');
      return lesson(n, options);
    });

  program
    .command('serve')
    .description("run one stage's demo server alone until Ctrl-C")
    .argument('<n>', 'stage (lesson) number', lessonFrom)
    .addOption(portOption)
    .addOption(hostOption)
    .addOption(openOption)
    .addOption(storeOption)
    .action(async (n: LessonInfo, options) => {
      const { serve } = await import('./commands/serve.js');
      return serve(n, options);
    });

  program
    .command('probe')
    .description(
      'watch a goldfish and a cookie-jar browser visit any server, with its cookies explained',
    )
    .argument('<url>', "your server's address, such as http://localhost:3000")
    .option('--post <path>', 'where to post the form', '/setName')
    .option(
      '--field <name=value>',
      'a form field to post (repeatable; default name=<a generated name>)',
      collect,
      [],
    )
    .option('--json', 'print one JSON document with the hops, cookies, explanations and verdicts')
    .addHelpText(
      'after',
      () =>
        `\nExit codes:\n${helpTable(
          [
            ['0', 'both verdicts hold (the goldfish forgotten, the browser remembered)'],
            ['1', 'a verdict fails, or the server cannot be reached'],
            ['2', 'a mistake on the command line'],
          ],
          helpColumns(),
        )}`,
    )
    .action(async (url: string, options) => {
      const { probe } = await import('./commands/probe.js');
      return probe(url, options);
    });

  program
    .command('watch')
    .description(
      'put a proxy in front of your app and see, live, why a browser keeps, drops or withholds each cookie',
    )
    .argument('<url>', "your app's address, such as http://localhost:3000")
    .option('--port <port>', 'port for the proxy (default: any free one)', portNumber)
    .option(
      '--browser',
      'open Chromium through the proxy and show what it reports beside each verdict',
    )
    .option('--json', 'print one JSON object per exchange (NDJSON)')
    .action(async (url: string, options) => {
      const { watch } = await import('./commands/watch.js');
      return watch(url, options);
    });

  program
    .command('check')
    .description(
      "run lesson N's expectations (or --all, every lesson's) against your own server, in any language",
    )
    .argument('[n]', 'lesson number', lessonFrom)
    .option('--all', "every lesson's checks, in order: a report card")
    .option('--url <url>', 'where your server is', 'http://localhost:3000')
    .option(
      '--json',
      'print one JSON document: every expectation with its verdict and every request and response (without bodies)',
    )
    .option('--watch', 'run again whenever a file here changes, or on Enter')
    .option('--tutor-stage', "check even when the server is one of session-tutor's own stages")
    .action(async (n: LessonInfo | undefined, options) => {
      const { check } = await import('./commands/check.js');
      return check(n, options);
    });

  program
    .command('eject')
    .description(
      'write stage N as a project of your own: server.js, the stage and the helpers it imports, package.json, README.md',
    )
    .argument('<n>', 'stage (lesson) number', lessonFrom)
    .argument(
      '[dir]',
      "folder to write it to (default: the stage name, such as 05-remember; inside session-tutor's own folder, stage-05-remember beside the exercises)",
    )
    .option('--force', 'write into a folder that is not empty, overwriting the files eject writes')
    .action(async (n: LessonInfo, dir: string | undefined, options) => {
      const { eject } = await import('./commands/eject.js');
      eject(n, dir, options);
    });

  program
    .command('exercise')
    .description(
      "do lesson N's exercise: start from the stage before, edit, and watch its checks turn green as you save",
    )
    .argument('<n>', 'lesson number', lessonFrom)
    .argument(
      '[dir]',
      'folder for your copy (default: ~/session-tutor-exercises/NN-slug, or exercises/NN-slug under SESSION_TUTOR_HOME); kept, and resumed next time',
    )
    .option('--url <url>', 'check a server you run yourself, in any language, instead')
    .action(async (n: LessonInfo, dir: string | undefined, options) => {
      const { exercise } = await import('./commands/exercise.js');
      return exercise(n, dir, options);
    });

  program
    .command('reset')
    .description('forget your progress (asks first in a terminal)')
    .option('-y, --yes', 'do not ask')
    .action(async (options) => {
      const { reset } = await import('./commands/reset.js');
      return reset(options);
    });
  return program;
}

/** The columns `--help` is written to: the terminal's, or COLUMNS when the output is not one. */
function helpColumns(): number {
  return process.stdout.columns || Number(process.env.COLUMNS) || 80;
}

/** The rest of `--help`: how to begin, the keys (src/cli/keys.ts), the environment, exit codes. */
function helpAfter(): string {
  const columns = helpColumns();
  return `
Begin with:
  npx session-tutor start

Keys in a lesson:
${helpTable(
  [
    ['Enter, Space, → or n', 'next page'],
    ['b or ←', 'page back'],
    ['↑ ↓ PgUp PgDn Home End', 'scroll a page taller than the terminal'],
    ['f', "the stage's whole file, or only what changed"],
    ['i', 'the helpers the stage calls, from src/stage/'],
    ['h', 'a hint about the demo and your turn'],
    ['e', 'on "Your turn": the lesson\'s exercise'],
    ['r', 'restart a stage that stopped answering'],
    ['q or Esc', 'quit; Ctrl-C stops at once'],
  ],
  columns,
)}

Environment:
${helpTable(
  [
    [
      'SESSION_SECRET',
      "what the demo servers sign session cookies with; unset, each run makes a random one (serve keeps one in the tutor's folder)",
    ],
    ['SESSION_TUTOR_HOME', `the tutor's folder, where your progress is kept; now ${tutorHome()}`],
    ['NO_COLOR', 'plain text without colours'],
  ],
  columns,
)}

Exit codes:
${helpTable(
  [
    ['0', 'done, or you quit'],
    ['1', 'a demo, check or probe did not go as the lesson says, or a bug'],
    ['2', 'a mistake on the command line, or something asked that cannot be done'],
    ['130', 'stopped with Ctrl-C (143 by SIGTERM, 129 when the terminal closed)'],
  ],
  columns,
)}`;
}

/**
 * A table of `--help`: each name, then what it means, wrapped at words under its own column so
 * that no line is longer than the terminal (a word longer than the room left, a path, stays whole).
 */
function helpTable(rows: [name: string, meaning: string][], columns: number): string {
  const nameWidth = Math.max(...rows.map(([name]) => name.length)) + 3;
  const room = Math.max(20, columns - 1 - 2 - nameWidth);
  return rows
    .map(([name, meaning]) => {
      const lines = [''];
      for (const word of meaning.split(' ')) {
        const line = lines[lines.length - 1];
        if (line !== '' && line.length + 1 + word.length > room) lines.push(word);
        else lines[lines.length - 1] = line === '' ? word : `${line} ${word}`;
      }
      return lines
        .map((line, i) => `  ${(i === 0 ? name : '').padEnd(nameWidth)}${line}`)
        .join('\n');
    })
    .join('\n');
}

/**
 * What to try once the course is done, taken from the commands this program has: a command it
 * does not have is never suggested, and each says what it does in its own --help words.
 */
function whatNext(program: Command): NextStep[] {
  const find = (name: string) => program.commands.find((c) => c.name() === name);
  const usage = (command: Command) =>
    [
      command.name(),
      ...command.registeredArguments.filter((a) => a.required).map((a) => `<${a.name()}>`),
    ].join(' ');
  const steps: NextStep[] = [];
  const exercise = find('exercise');
  if (exercise) steps.push({ command: usage(exercise), does: exercise.description() });
  const all = find('check')?.options.find((o) => o.long === '--all');
  if (all) steps.push({ command: 'check --all', does: `${all.description}, for your own server` });
  const watch = find('watch');
  if (watch) steps.push({ command: usage(watch), does: watch.description() });
  return steps;
}

function packageVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/**
 * `list` and `list --json` as they are usually typed: run without building the program, as
 * commander would run them. Setting up commander's commands and options costs `list` more time
 * than listing does (bench/cold-start.js); anything else on the line goes through commander.
 */
function listAlone(args: string[]): boolean {
  return args[0] === 'list' && (args.length === 1 || (args.length === 2 && args[1] === '--json'));
}

/** Runs the command line: called by package.json's bin (dist/session-tutor.cjs), or below. */
export async function main(): Promise<void> {
  // `--version` alone is answered by the bin before this module loads; here commander answers it
  const args = process.argv.slice(2);
  if (process.env.NO_COLOR || args.includes('--no-color')) chalk.level = 0;
  handleSignals();
  let program: Command | undefined;
  try {
    if (listAlone(args)) list({ json: args.length === 2 });
    else {
      program = buildProgram();
      await program.parseAsync();
    }
    await shutdown(Number(process.exitCode ?? 0));
  } catch (err) {
    // a signal's cleanup stopped what this was using: the signal decides how the process ends
    if (shuttingDown()) await shutdown(1);
    if (err instanceof Refusal) {
      process.stderr.write(`${chalk.red('error:')} ${err.message}\n`);
      await shutdown(err.exitCode);
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander has printed help or the version; a mistake is said here, in one sentence
      if ((err as CommanderError).exitCode === 0) await shutdown(0);
      const { usageSentence } = await import('./usage.js');
      const sentence = usageSentence(err as CommanderError, program as Command, args);
      process.stderr.write(
        sentence ? `${chalk.red('error:')} ${sentence}\n` : chalk.red(commanderSaid),
      );
      await shutdown(2);
    }
    await endUnexpectedly(err);
  }
}

// In the bundle, the chunks that share code with this entry import it from this file, and so
// does a stage process (dist/stage-child.js): the program runs by itself only when this file was
// started (as the tests and the bench do); the bin calls main().
// No top-level await: a chunk imported while this module was still evaluating would wait forever.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
