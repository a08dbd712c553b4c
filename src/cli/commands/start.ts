import chalk from 'chalk';
import { type LessonInfo, listLessons } from '../../course/catalog.js';
import { held } from '../../course/types.js';
import { UserError } from '../../errors.js';
import { tutorHome } from '../../home.js';
import { glyphs } from '../glyphs.js';
import type { KeyReader } from '../keys.js';
import { ProgressFile } from '../progress.js';
import { wrapIndented } from '../render.js';
import { onShutdown } from '../shutdown.js';
import { tutorCommand } from '../tutor-command.js';
import type { WalkResult } from '../walkthrough.js';
import { pageWidth } from '../width.js';

/** A command to try after the course, as `session-tutor --help` lists it. */
export interface NextStep {
  command: string;
  does: string;
}

interface StartOptions {
  /** What to suggest once the whole course is done: each a command line and what it does. */
  whatNext?: NextStep[];
  from?: LessonInfo;
  yes?: boolean;
  port?: number;
  host: string;
  open?: boolean;
  store: string;
}

/** `start`: the course from the first unfinished lesson (or --from N) to the end. */
export async function start(options: StartOptions): Promise<void> {
  const progress = new ProgressFile();
  const lessons = listLessons();
  let first: LessonInfo;
  if (options.from !== undefined) first = options.from;
  else {
    const unfinished = lessons.find((l) => !progress.isDone(l.name));
    if (!unfinished)
      process.stdout.write(
        'You have finished every lesson; here they are again from lesson 1.\n\n',
      );
    first = unfinished ?? lessons[0];
  }
  await runLessons(lessons, progress, options, lessons.indexOf(first));
}

/** `lesson N`: one lesson on its own. */
export async function lesson(
  chosen: LessonInfo,
  options: Omit<StartOptions, 'from'>,
): Promise<void> {
  await runLessons([chosen], new ProgressFile(), options);
}

async function runLessons(
  lessons: LessonInfo[],
  progress: ProgressFile,
  options: Omit<StartOptions, 'from'>,
  first = 0,
) {
  const doneBefore = lessons.every((l) => progress.isDone(l.name));
  const [{ StageHost }, { chooseSecret }, { walk }, { openStore, parseStore }] = await Promise.all([
    import('../../server/host.js'),
    import('../../server/tutor-secret.js'),
    import('../walkthrough.js'),
    import('../../stage/stores/choose.js'),
  ]);
  const { secret, fromEnvironment } = chooseSecret();
  const storeChoice = parseStore(options.store, tutorHome());
  // SQLite and Redis open now, so one that cannot be opened is said before the first page; the
  // host makes a memory store itself once the first page is drawn (express-session loads then)
  const opened = storeChoice.kind === 'memory' ? undefined : await openStore(storeChoice);
  if (opened) onShutdown(() => opened.close());
  const host = new StageHost({
    port: options.port ?? 3000,
    portAskedFor: options.port !== undefined,
    host: options.host,
    secret,
    store: opened?.store,
  });
  onShutdown(() => host.stop());
  const { markRunning } = await import('../running.js');
  const another = markRunning();
  const interactive = !options.yes && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!options.yes && !interactive) process.stdout.write(`${chalk.dim(whyNoKeys())}\n\n`);
  const keys = interactive ? new (await import('../keys.js')).KeyReader() : undefined;
  let result: WalkResult;
  try {
    result = await walk({
      lessons,
      first,
      total: listLessons().length,
      host,
      storeChoice,
      progress,
      keys,
      secretFromEnvironment: fromEnvironment,
      notice: another,
      openBrowser: options.open ? (await import('../open-browser.js')).openInBrowser : undefined,
      exercise: exerciseFromLesson,
      write: (text) => process.stdout.write(text),
    });
  } finally {
    keys?.close();
    await host.stop();
    await opened?.close();
  }
  const finishedNow = !doneBefore && listLessons().every((l) => progress.isDone(l.name));
  process.stdout.write(
    `${summary(result, progress, finishedNow ? options.whatNext : undefined)}\n`,
  );
  if (!result.quit && !result.results.every((r) => r.verdicts.every(held))) process.exitCode = 1;
}

/** `e` on a lesson's "Your turn" page: its exercise, then back to the lesson or on to the next. */
async function exerciseFromLesson(lesson: LessonInfo, keys: KeyReader): Promise<{ goOn: boolean }> {
  const { exerciseIn } = await import('./exercise.js');
  try {
    return await exerciseIn(lesson, { keys });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    process.stdout.write(`\n${chalk.red('error:')} ${err.message}\n${chalk.dim('Press Enter.')}`);
    await keys.next();
    return { goOn: false };
  }
}

/**
 * Said once when pages turn by themselves although --yes was not given: a learner who expected to
 * press keys learns why, and what to do. In Git Bash's MinTTY without a pseudo console, Node's
 * stdin is a pipe (Git for Windows' known issues: github.com/git-for-windows/git/issues/2594).
 */
function whyNoKeys(): string {
  const which = process.stdin.isTTY ? 'output' : 'input';
  return `Pages turn by themselves: the ${which} is not a terminal, so no key can be read. To turn them with keys, run this in a terminal window (on Windows: Windows Terminal, PowerShell or cmd). --yes turns them by itself without this note.`;
}

/**
 * What the walk showed: for each lesson whose demo ran, how many verdicts held; then where the
 * learner stands. The course finished just now adds what to do next.
 */
function summary(result: WalkResult, progress: ProgressFile, whatNext?: NextStep[]): string {
  const width = pageWidth();
  const lines: string[] = [];
  if (result.results.length > 0)
    lines.push(`${chalk.bold('Summary')}: demos that behaved as the lesson says`);
  for (const { lesson, verdicts } of result.results) {
    const ok = verdicts.every(held);
    const ran = verdicts.filter((v) => !v.skipped);
    const skipped = verdicts.filter((v) => v.skipped).map((v) => `; skipped, ${v.skipped}`);
    const count = `${ran.filter(held).length}/${ran.length}${skipped.join('')}`;
    const mark = ok ? chalk.green(glyphs.pass) : chalk.red(glyphs.fail);
    lines.push(
      wrapIndented(
        `${mark} ${String(lesson.number).padStart(2)} ${lesson.title}: ${count}`,
        width,
        5,
      ),
    );
  }
  const lessons = listLessons();
  const next = lessons.find((l) => !progress.isDone(l.name));
  if (whatNext) {
    lines.push(
      '',
      chalk.bold.green(`You have finished the course: all ${lessons.length} lessons.`),
      ...(whatNext.length > 0 ? ['', 'What next:'] : []),
      ...whatNext.flatMap((step) => [
        `  ${chalk.cyan(`${tutorCommand()} ${step.command}`)}`,
        wrapIndented(`      ${step.does}`, width, 6),
      ]),
    );
  } else if (result.quit) {
    // the command to go on with, on a line of its own, ready to copy
    lines.push(
      chalk.dim(
        next
          ? `Stopped. To pick up at lesson ${next.number}:`
          : 'Stopped. Every lesson is done. To open one again:',
      ),
      `  ${chalk.cyan(`${tutorCommand()} ${next ? 'start' : 'lesson N'}`)}`,
    );
  }
  return lines.join('\n');
}
