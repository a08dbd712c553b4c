import chalk from 'chalk';
import type { LessonInfo } from '../course/catalog.js';
import { readPages } from '../course/catalog.js';
import { lessonChecks } from '../course/check.js';
import { runDemo } from '../course/run.js';
import { held, type Verdict } from '../course/types.js';
import { ProbeError } from '../probe/errors.js';
import type { StageHost } from '../server/host.js';
import type { StoreChoice } from '../server/stores/choose.js';
import type { Action, KeyReader } from './keys.js';
import { renderMarkdown } from './markdown.js';
import type { ProgressFile } from './progress.js';
import { pageWidth, progressBar, renderStep } from './render.js';
import { onShutdown } from './shutdown.js';

export interface WalkOptions {
  /** The lessons the learner can move through with Enter and b. */
  lessons: LessonInfo[];
  /** Where in `lessons` to begin (default 0). */
  first?: number;
  /** How many lessons the course has, for "lesson k of N". */
  total: number;
  host: StageHost;
  /** Where sessions live (`--store`), for demos that start servers of their own. */
  storeChoice?: StoreChoice;
  progress: ProgressFile;
  /** Given for an interactive walk; without it, pages follow each other unattended. */
  keys?: KeyReader;
  secretFromEnvironment: boolean;
  /** Given for --open: hands the stage's address to a browser, once per walk (the port stays). */
  openBrowser?: (url: string) => Promise<string>;
  write: (text: string) => void;
}

export interface LessonResult {
  lesson: LessonInfo;
  verdicts: Verdict[];
}

export interface WalkResult {
  results: LessonResult[];
  quit: boolean;
}

/** Walks the learner through lessons page by page, running each lesson's stage and demo live. */
export async function walk(options: WalkOptions): Promise<WalkResult> {
  const results: LessonResult[] = [];
  let openBrowser = options.openBrowser;
  let index = options.first ?? 0;
  let startAtEnd = false;
  while (index < options.lessons.length) {
    const lesson = options.lessons[index];
    const outcome = await walkLesson(lesson, { ...options, openBrowser }, startAtEnd);
    openBrowser = undefined;
    if (outcome.action === 'quit') return { results, quit: true };
    if (outcome.action === 'back') {
      startAtEnd = index > 0;
      if (index > 0) index -= 1;
      continue;
    }
    results.push({ lesson, verdicts: outcome.verdicts });
    if (outcome.verdicts.every(held)) options.progress.markDone(lesson.name);
    index += 1;
    startAtEnd = false;
  }
  return { results, quit: false };
}

interface LessonOutcome {
  action: 'done' | 'back' | 'quit';
  verdicts: Verdict[];
}

async function walkLesson(
  lesson: LessonInfo,
  options: WalkOptions,
  startAtEnd: boolean,
): Promise<LessonOutcome> {
  const { host, keys, write } = options;
  const pages = readPages(lesson);
  let { stage, note: portNote } = await host.switchTo(lesson);
  const opened = await options.openBrowser?.(stage.url);
  const note = [portNote, opened].filter(Boolean).join('; ');
  const fill = (text: string) =>
    text
      .replaceAll('{{url}}', stage.url)
      .replaceAll(
        '{{secret}}',
        options.secretFromEnvironment
          ? 'SESSION_SECRET is set, so that is the secret in use (the tutor never prints it).'
          : 'SESSION_SECRET is not set, so the tutor made a random 32-byte secret that lasts only for this run.',
      );
  const header = () => {
    const done = options.progress.done.length;
    return [
      `${chalk.bold(`Lesson ${lesson.number} of ${options.total}`)} · ${chalk.bold.blue(lesson.title)}   ${progressBar(done, options.total)}`,
      chalk.dim(`Stage ${lesson.number} is running at `) +
        chalk.bold.underline(stage.url) +
        (note ? chalk.yellow(`  (${note})`) : ''),
    ].join('\n');
  };

  // Each page's demo runs once per visit to the lesson; going back shows the same exchanges again.
  const demoOutput = new Map<number, string>();
  let verdicts: Verdict[] = [];
  const showPage = async (n: number) => {
    // unattended, the lesson's pages follow each other: one header is enough
    if (keys || n === 0) write(`${header()}\n\n`);
    for (const part of splitDirectives(pages[n])) {
      if (part === '.code') {
        const { stageListing } = await import('./listing.js'); // diff loads only for listings
        write(`${stageListing(lesson)}\n\n`);
      } else if (part === '.demo') {
        const shown = demoOutput.get(n);
        if (shown !== undefined) write(shown);
        else {
          let text = '';
          verdicts = await runDemo(
            lesson,
            stage,
            (step) => {
              const drawn = `${renderStep(step)}\n\n`;
              text += drawn;
              write(drawn);
            },
            { storeChoice: options.storeChoice, signal: keys?.quitSignal, alsoOnExit: onShutdown },
          );
          demoOutput.set(n, text);
        }
      } else write(`${renderMarkdown(fill(part), pageWidth())}\n\n`);
    }
    const turn = n === pages.length - 1 ? await yourTurn(lesson, keys !== undefined) : '';
    if (turn !== '') write(`${renderMarkdown(turn, pageWidth())}\n\n`);
  };

  /**
   * When a page fails because the stage's server stopped answering (closed from outside), says
   * so and offers a restart at the same address: true once restarted, false when the learner quits
   * instead. Any other failure is thrown on.
   */
  const recover = async (err: unknown): Promise<boolean> => {
    if (!(err instanceof ProbeError) || (await host.answering())) throw err;
    write(
      `\n${chalk.red('✘')} Stage ${lesson.number}'s server stopped answering: ${(err as Error).message}\n`,
    );
    if (keys) {
      write(chalk.dim('[r] restart it and show this page again   [q] quit'));
      let action: Action;
      do action = await keys.next();
      while (action !== 'restart' && action !== 'quit');
      if (action === 'quit') return false;
    } else write('Restarting it.\n\n');
    ({ stage } = await host.switchTo(lesson));
    await stage.ready();
    return true;
  };

  if (!keys) {
    await stage.ready();
    let restarted = false;
    for (let n = 0; n < pages.length; n++) {
      try {
        await showPage(n);
      } catch (err) {
        // unattended, one restart: a stage that dies again ends the run
        if (restarted) throw err;
        restarted = await recover(err);
        n -= 1;
      }
    }
    return { action: 'done', verdicts };
  }

  let page = startAtEnd ? pages.length - 1 : 0;
  for (;;) {
    write('\x1b[2J\x1b[H');
    try {
      await showPage(page);
    } catch (err) {
      // q pressed mid-demo stops the demo part-way, which it reports as an error: that is a quit
      if (keys.quitSignal.aborted) return { action: 'quit', verdicts };
      if (await recover(err)) continue;
      return { action: 'quit', verdicts };
    }
    write(
      chalk.dim(`page ${page + 1}/${pages.length}   [Enter] next  [b] back  [h] hint  [q] quit`),
    );
    // While the learner reads, the stage's app and the demo's HTTP client load (keys wait in line);
    // a stage that cannot load ends the walk here.
    const key = keys.next();
    await Promise.all([stage.ready(), import('../probe/visitor.js')]);
    let action: Action = await key;
    while (action === 'hint' || action === 'restart') {
      if (action === 'hint') write(`\n\n${chalk.yellow('Hint:')} ${lesson.hint}`);
      action = await keys.next();
    }
    write('\n');
    if (action === 'quit') return { action: 'quit', verdicts };
    if (action === 'back') {
      if (page === 0) return { action: 'back', verdicts };
      page -= 1;
    } else if (page === pages.length - 1) {
      return { action: 'done', verdicts };
    } else {
      page += 1;
    }
  }
}

/** The lesson's last words: build it yourself, and let `check` say whether it works. */
async function yourTurn(lesson: LessonInfo, interactive: boolean): Promise<string> {
  const checks = await lessonChecks(lesson);
  if (!checks) return '';
  const n = lesson.number;
  const start =
    n > 1
      ? `Start from this stage with \`npx session-tutor eject ${n}\`, or from the one before with \`eject ${n - 1}\` and add the new idea yourself`
      : `Start from this stage with \`npx session-tutor eject ${n}\`, or write one from scratch`;
  return [
    '## Your turn',
    '',
    'Make a server of your own, in any language, that does this:',
    '',
    ...checks.map((c) => `- ${c.title}`),
    '',
    `${start}. Run it, then \`npx session-tutor check ${n}\` (add \`--watch\` to check again on every save).${interactive ? ' Press h for a hint.' : ''}`,
  ].join('\n');
}

/** Splits a page into Markdown parts and the directive lines `.code` and `.demo`. */
function splitDirectives(page: string): string[] {
  return page
    .split(/^(\.code|\.demo)$/m)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
