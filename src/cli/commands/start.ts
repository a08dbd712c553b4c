import chalk from 'chalk';
import { type LessonInfo, listLessons } from '../../course/catalog.js';
import { held } from '../../course/types.js';
import { tutorHome } from '../../home.js';
import { glyphs } from '../glyphs.js';
import { ProgressFile } from '../progress.js';
import { onShutdown } from '../shutdown.js';
import type { WalkResult } from '../walkthrough.js';

interface StartOptions {
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
  const [{ StageHost }, { chooseSecret }, { walk }, { openStore, parseStore }] = await Promise.all([
    import('../../server/host.js'),
    import('../../stage/secret.js'),
    import('../walkthrough.js'),
    import('../../stage/stores/choose.js'),
  ]);
  const { secret, fromEnvironment } = chooseSecret();
  const storeChoice = parseStore(options.store, tutorHome());
  const opened = await openStore(storeChoice);
  onShutdown(() => opened.close());
  const host = new StageHost({
    port: options.port ?? 3000,
    portAskedFor: options.port !== undefined,
    host: options.host,
    secret,
    store: opened.store,
  });
  onShutdown(() => host.stop());
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
      openBrowser: options.open ? (await import('../open-browser.js')).openInBrowser : undefined,
      write: (text) => process.stdout.write(text),
    });
  } finally {
    keys?.close();
    await host.stop();
    await opened.close();
  }
  process.stdout.write(`${summary(result, progress)}\n`);
  if (!result.quit && !result.results.every((r) => r.verdicts.every(held))) process.exitCode = 1;
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

function summary(result: WalkResult, progress: ProgressFile): string {
  const lines = [`${chalk.bold('Summary')}: demos that behaved as the lesson says`];
  for (const { lesson, verdicts } of result.results) {
    const ok = verdicts.every(held);
    const ran = verdicts.filter((v) => !v.skipped);
    const skipped = verdicts.filter((v) => v.skipped).map((v) => `; skipped, ${v.skipped}`);
    const count = `${ran.filter(held).length}/${ran.length}${skipped.join('')}`;
    lines.push(
      `${ok ? chalk.green(glyphs.pass) : chalk.red(glyphs.fail)} ${String(lesson.number).padStart(2)} ${lesson.title}: ${count}`,
    );
  }
  const next = listLessons().find((l) => !progress.isDone(l.name));
  if (result.quit) {
    lines.push(
      chalk.dim(`Stopped. \`session-tutor start\` picks up at lesson ${next?.number ?? 1}.`),
    );
  }
  return lines.join('\n');
}
