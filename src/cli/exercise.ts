import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, watch as watchFiles } from 'node:fs';
import { basename, join } from 'node:path';
import chalk from 'chalk';
import { type CheckReport, type CheckResult, runChecks } from '../course/check.js';
import {
  type CopyStage,
  changedSinceStart,
  comparison,
  type Exercise,
  type FileChange,
  installed,
  installWorkspace,
} from '../course/exercise.js';
import type { LearnerServer, LearnerStart } from '../server/learner-server.js';
import { glyphs } from './glyphs.js';
import type { KeyReader } from './keys.js';
import type { ProgressFile } from './progress.js';
import { allPass, wrapText } from './render.js';
import { onShutdown } from './shutdown.js';
import { pageWidth } from './width.js';

export interface ExerciseOptions {
  exercise: Exercise;
  /** The learner's folder, where the tutor runs their server; absent with --url. */
  dir?: string;
  /** --url: the learner runs their own server, in any language, here. */
  url?: string;
  /** Whether the folder was made now, or holds work from before (then it is resumed). */
  created?: boolean;
  copyStage: CopyStage;
  progress: ProgressFile;
  /** Given in a terminal: keys drive the loop. Without, it ends when every expectation passes. */
  keys?: KeyReader;
  write: (text: string) => void;
  /** Said once at the start: where the folder is, or where the reference stage lives. */
  intro: string;
}

export interface ExerciseEnd {
  passed: boolean;
  /** The learner asked to go on to the next lesson. */
  goOn: boolean;
}

type Mark = 'pending' | 'passed' | 'failed';
type Wake = 'change' | 'again' | 'quit' | 'crashed' | 'answering';

/**
 * The exercise loop, rustlings' watch mode for a live server: run the learner's server (or
 * reach theirs at --url), check it, and again on every save, drawing each expectation as it
 * turns from ✘ to ✔ with the hint for the first one still failing. Everything it starts (the
 * server, the watcher) it stops on every way out.
 */
export async function runExercise(options: ExerciseOptions): Promise<ExerciseEnd> {
  const { exercise, dir, keys, write } = options;
  const { lesson, checks } = exercise;
  const tty = keys !== undefined;
  const marks = new Map<string, Mark>(checks.map((c) => [c.title, 'pending']));
  const failures = new Map<string, CheckResult>();
  const output: string[] = [];
  let status = '';
  let note = '';
  let checking = false;

  const frame = () => {
    const width = pageWidth();
    const wrap = (text: string) => wrapText(text, width);
    const lines = [
      `${chalk.bold(`Exercise ${lesson.number}`)} · ${chalk.bold.blue(lesson.title)}`,
      chalk.dim(wrap(options.intro)),
      '',
      wrap(status),
      '',
    ];
    for (const check of checks) {
      const mark = marks.get(check.title);
      const sign =
        mark === 'passed'
          ? chalk.green(glyphs.pass)
          : mark === 'failed'
            ? chalk.red(glyphs.fail)
            : chalk.dim('·');
      lines.push(`${sign} ${check.title}`);
    }
    const first = checks.find((c) => marks.get(c.title) === 'failed');
    const failure = first && failures.get(first.title);
    if (first && failure) {
      const { verdict, problem } = failure;
      if (verdict)
        lines.push(
          chalk.dim(`    ${verdict.label}: ${verdict.outcome}, expected ${verdict.expected}`),
        );
      if (problem) lines.push(chalk.dim(`    ${problem}`));
      // a sharper hint read from the responses wins; else the one for editing this exercise
      const hint = failure.hint === first.hint || !failure.hint ? first.exerciseHint : failure.hint;
      lines.push('', wrap(`${chalk.yellow('hint:')} ${hint}`));
    }
    if (note) lines.push('', wrap(note));
    if (output.length > 0) {
      lines.push('', chalk.dim(`── your server's output ${'─'.repeat(Math.max(0, width - 25))}`));
      lines.push(...output.slice(tty ? -10 : -30).map((l) => `  ${l}`));
    }
    lines.push('');
    if (tty) {
      lines.push(
        chalk.dim(
          checking
            ? 'checking…'
            : `Save a file to check again · [Enter] check now · [q] quit (your work stays)`,
        ),
      );
    }
    return lines.join('\n');
  };
  const draw = (settled: boolean) => {
    if (tty) write(`\x1b[2J\x1b[H${frame()}`);
    else if (settled) write(`${frame()}\n`);
  };

  // one queue of reasons to wake up: a save, a key, the server ending
  const pending = new Set<Wake>();
  let wake: (() => void) | undefined;
  const signal = (reason: Wake) => {
    pending.add(reason);
    wake?.();
  };
  const nextWake = async (): Promise<Set<Wake>> => {
    while (pending.size === 0) await new Promise<void>((resolve) => (wake = resolve));
    const reasons = new Set(pending);
    pending.clear();
    return reasons;
  };

  const stops: (() => unknown)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  const removeCleanup = onShutdown(stopAll);
  try {
    write(`${options.intro}\n`);
    let server: LearnerServer | undefined;
    if (dir) {
      if (!installed(dir)) {
        write(`Installing its packages (from npm's cache when it has them)…\n`);
        await installWorkspace(dir, (line) => write(chalk.dim(`  ${line}\n`)));
      }
      const { LearnerServer, freePort } = await import('../server/learner-server.js');
      server = new LearnerServer({
        dir,
        port: await freePort(),
        // one secret for the whole exercise, so a restart keeps the sessions' cookies valid
        env: { SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex') },
        onOutput: (line) => {
          output.push(line);
          if (output.length > 200) output.splice(0, output.length - 200);
          if (!tty) return;
          if (!checking) draw(false);
        },
        onExit: (code, sig) => {
          serverUp = false;
          status = `${chalk.red(glyphs.fail)} Your server stopped by itself (${ended(code, sig)}): its output below says why. Save a file to start it again.`;
          signal('crashed');
        },
      });
      stops.push(() => server?.stop());
    }
    stops.push(watch(dir ?? process.cwd(), () => signal('change')));
    const keyPump = keys ? pumpKeys(keys, signal) : undefined;
    if (keyPump) stops.push(keyPump.stop);
    const url = server?.url ?? (options.url as string);

    let passedAt: CheckReport | undefined;
    let serverUp = false;
    let polling = false;
    let reasons = new Set<Wake>(['change']);
    for (;;) {
      if (reasons.has('quit')) return { passed: false, goOn: false };
      if (reasons.has('crashed')) serverUp = false;
      if (server && reasons.has('crashed') && !reasons.has('change') && !reasons.has('again')) {
        // it stopped by itself: say so, and wait for the learner's fix
        draw(true);
        reasons = await nextWake();
        continue;
      }
      if (server && (reasons.has('change') || !serverUp)) {
        status = chalk.dim('Starting your server…');
        output.length = 0;
        draw(false);
        const started = await server.restart();
        serverUp = started.state === 'answering';
        if (!serverUp) {
          status = startProblem(started, server.url);
          for (const check of checks) marks.set(check.title, 'pending');
          draw(true);
          reasons = await nextWake();
          continue;
        }
      }
      status = server
        ? `${chalk.green('●')} Your server is running at ${chalk.underline(url)}`
        : `Checking your server at ${chalk.underline(url)}`;
      note = '';
      for (const check of checks) marks.set(check.title, 'pending');
      failures.clear();
      checking = true;
      draw(false);
      const report = await runChecks(lesson, checks, url, (result) => {
        marks.set(result.title, result.passed ? 'passed' : 'failed');
        if (!result.passed) failures.set(result.title, result);
        draw(false);
      });
      checking = false;
      if (report.unreachable) {
        status = `${chalk.red(glyphs.fail)} ${report.unreachable}`;
        if (!server && !polling) {
          note = chalk.dim('Waiting for your server to answer; the checks run as soon as it does.');
          polling = true;
          stops.push(
            whenAnswering(url, () => {
              polling = false;
              signal('answering');
            }),
          );
        }
      } else if (report.tutorStage !== undefined && !server) {
        const { tutorStageSentence } = await import('./commands/check.js');
        status = `${chalk.red(glyphs.fail)} ${tutorStageSentence(url, report.tutorStage)}`;
      } else if (report.passed) {
        if (dir && exercise.startsPassing && !changedSinceStart(exercise, dir, options.copyStage)) {
          note = `${chalk.yellow('Stage')} ${exercise.before?.number} already passes: ${exercise.startsPassing}. Make lesson ${lesson.number}'s change anyway; the check turns red if it makes a cookie before anything is stored.`;
        } else passedAt = report;
      }
      draw(true);
      if (passedAt) break;
      reasons = await nextWake();
    }

    options.progress.markExerciseDone(lesson.name);
    await stopAll();
    write(`\n${await compared(options)}\n`);
    if (!keys) return { passed: true, goOn: false };
    write(chalk.dim(`\n[Enter] go on to the next lesson · [q] quit\n`));
    for (;;) {
      const action = await keys.next();
      if (action === 'next') return { passed: true, goOn: true };
      if (action === 'quit') return { passed: true, goOn: false };
    }
  } finally {
    await stopAll();
    removeCleanup();
  }
}

function ended(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** Why the learner's server did not come up, labelled as theirs, with what to do. */
function startProblem(started: LearnerStart, url: string): string {
  const port = new URL(url).port;
  if (started.state === 'silent') {
    return `${chalk.red(glyphs.fail)} Your server runs but nothing answers on port ${port}: listen on the port the tutor gives it, process.env.PORT (${port} now).`;
  }
  if (started.state === 'ended' && started.code === 0) {
    return `${chalk.red(glyphs.fail)} Your server.js ran to its end without listening: start a server with app.listen(process.env.PORT).`;
  }
  const how = started.state === 'ended' ? ended(started.code, started.signal) : '';
  return `${chalk.red(glyphs.fail)} Your server stopped before it answered (${how}). The error is in your code: read its output below, fix it and save.`;
}

/**
 * Calls `onChange` when a file in `dir` or a folder below it changes (not node_modules or a
 * dot-folder), once a save settles. Each folder has a watcher of its own: Node's recursive
 * watching is emulated on Linux before Node 22 and can stop reporting, while one watcher per
 * folder is reliable everywhere. Folders made later are picked up as they appear.
 */
function watch(dir: string, onChange: () => void): () => void {
  const watchers = new Map<string, ReturnType<typeof watchFiles>>();
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    // an editor's save is often several writes: act once they have settled
    clearTimeout(timer);
    timer = setTimeout(onChange, 250);
  };
  const add = (folder: string, depth: number) => {
    if (watchers.has(folder) || watchers.size >= maxWatchedFolders) return;
    try {
      const watcher = watchFiles(folder, (_event, file) => {
        if (file === 'node_modules' || file?.startsWith('.')) return;
        if (file) addBelow(join(folder, file), depth + 1);
        changed();
      });
      // a folder that cannot be watched (removed, too many) still leaves Enter to check again
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(folder);
      });
      watchers.set(folder, watcher);
    } catch {
      return;
    }
    for (const entry of safeReaddir(folder)) addBelow(join(folder, entry), depth + 1);
  };
  const addBelow = (path: string, depth: number) => {
    const name = basename(path);
    if (depth > maxDepth || name === 'node_modules' || name.startsWith('.')) return;
    if (isFolder(path)) add(path, depth);
  };
  add(dir, 0);
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

// enough for a project's own folders; --url may be run from a large folder
const maxWatchedFolders = 200;
const maxDepth = 4;

function safeReaddir(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Turns key presses into wake-ups until stopped: Enter checks again, q quits. */
function pumpKeys(keys: KeyReader, signal: (reason: Wake) => void): { stop: () => void } {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const action = await keys.next();
      if (stopped) return;
      if (action === 'quit') {
        signal('quit');
        return;
      }
      if (action === 'next') signal('again');
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
  };
}

/** Asks the server every half second until it answers, then calls `onAnswer` once. */
function whenAnswering(url: string, onAnswer: () => void): () => void {
  let stopped = false;
  void (async () => {
    const { Visitor } = await import('../probe/visitor.js');
    const visitor = new Visitor('reachability', 'goldfish');
    try {
      while (!stopped) {
        try {
          await visitor.get(`${url}/`, { follow: false });
          if (!stopped) onAnswer();
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    } finally {
      await visitor.close();
    }
  })();
  return () => {
    stopped = true;
  };
}

/** The learner's change, then session-tutor's own, from the same start. */
async function compared(options: ExerciseOptions): Promise<string> {
  const { exercise, dir, copyStage } = options;
  const { lesson } = exercise;
  const done = chalk.green.bold(
    `${glyphs.pass} ${allPass(exercise.checks.length, lesson.number)}: exercise ${lesson.number} is done.`,
  );
  if (!dir) {
    return `${done}\nsession-tutor's own stage ${lesson.number}, to compare with yours: ${lesson.stageSource}`;
  }
  const { structuredPatch } = await import('diff');
  const { yours, ours } = comparison(exercise, dir, copyStage);
  const draw = (title: string, changes: FileChange[]) => [
    chalk.bold(title),
    ...changes.flatMap((change) => {
      const { hunks } = structuredPatch(
        change.path,
        change.path,
        change.before,
        change.after,
        '',
        '',
        {
          context: 1,
        },
      );
      return [
        chalk.dim(`── ${change.path} ──`),
        ...hunks.flatMap((hunk) => [
          chalk.dim(`@@ line ${hunk.newStart}`),
          ...hunk.lines
            .filter((line) => !line.startsWith('\\'))
            .map((line) =>
              line.startsWith('+')
                ? chalk.green(line)
                : line.startsWith('-')
                  ? chalk.red(line)
                  : line,
            ),
        ]),
      ];
    }),
  ];
  const start = exercise.before ? `stage ${exercise.before.number}` : 'an empty server.js';
  return [
    done,
    '',
    ...draw(`Your change, from ${start}:`, yours),
    '',
    ...draw(`session-tutor's stage ${lesson.number}, from the same start:`, ours),
  ].join('\n');
}
