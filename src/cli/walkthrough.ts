import chalk from 'chalk';
import { type LessonInfo, listLessons, readPages } from '../course/catalog.js';
import { lessonChecks } from '../course/check.js';
import { runDemo } from '../course/run.js';
import { held, type Verdict } from '../course/types.js';
import { ProbeError } from '../probe/hop.js';
import type { StageHost } from '../server/host.js';
import type { RunningStage } from '../server/start.js';
import type { StoreChoice } from '../stage/stores/choose.js';
import { glyphs } from './glyphs.js';
import type { KeyReader } from './keys.js';
import { renderMarkdown } from './markdown.js';
import { type Action, firstPlace, move, type Place } from './pager.js';
import type { ProgressFile } from './progress.js';
import { progressBar, renderStep, wrapText } from './render.js';
import { onShutdown } from './shutdown.js';
import { pageWidth } from './width.js';

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

/** Where actions come from: key presses when interactive, an endless `next` when unattended. */
interface ActionSource {
  next(): Promise<Action>;
  /** Aborted when the learner quits while a demo runs. */
  quitSignal?: AbortSignal;
}

const unattended: ActionSource = { next: async () => 'next' };

/** A lesson as it is being visited: its running stage, and what its demo showed this visit. */
interface Visit {
  index: number;
  lesson: LessonInfo;
  pages: string[];
  stage: RunningStage;
  note: string;
  /** Each page's demo runs once per visit; drawing the page again shows the same exchanges. */
  demoOutput: Map<number, string>;
  verdicts: Verdict[];
  /** Unattended, a stage is restarted once per visit: one that dies again ends the run. */
  restarted: boolean;
}

/**
 * Walks the learner through lessons page by page, running each lesson's stage and demo live.
 * One loop: draw the page where the walk is, take the next action, move (src/cli/pager.ts).
 */
export async function walk(options: WalkOptions): Promise<WalkResult> {
  const { lessons, host, keys, write } = options;
  const actions: ActionSource = keys ?? unattended;
  const allPages = lessons.map((lesson) => readPages(lesson));
  const shape = allPages.map((pages) =>
    pages.map((page) => splitDirectives(page).includes('.code')),
  );
  const finished = new Map<number, LessonResult>();
  const results = () =>
    [...finished.keys()].sort((a, b) => a - b).map((i) => finished.get(i) as LessonResult);
  let openBrowser = options.openBrowser;
  let place = firstPlace(options.first ?? 0);
  let visit: Visit | undefined;
  let clear = keys !== undefined;

  for (;;) {
    if (visit?.index !== place.lesson) {
      const lesson = lessons[place.lesson];
      const { stage, note } = await host.switchTo(lesson);
      const opened = await openBrowser?.(stage.url);
      openBrowser = undefined;
      visit = {
        index: place.lesson,
        lesson,
        pages: allPages[place.lesson],
        stage,
        note: [note, opened].filter(Boolean).join('; '),
        demoOutput: new Map(),
        verdicts: [],
        restarted: false,
      };
    }
    try {
      if (clear) write('\x1b[2J\x1b[H');
      await drawPage(visit, place, options);
    } catch (err) {
      // q pressed mid-demo stops the demo part-way, which it reports as an error: that is a quit
      if (keys?.quitSignal.aborted) return { results: results(), quit: true };
      if (!(await recover(err, visit, actions, options))) return { results: results(), quit: true };
      clear = false; // the page is drawn again below the report of what went wrong
      continue;
    }
    clear = keys !== undefined;
    // While the learner reads, the stage's app and the demo's HTTP client load (keys wait in line);
    // a stage that cannot load ends the walk here.
    const pending = actions.next();
    await Promise.all([visit.stage.ready(), import('../probe/visitor.js')]);
    let to = move(place, await pending, shape);
    while (to === place) to = move(place, await actions.next(), shape);
    if (to === 'quit') return { results: results(), quit: true };
    if (to === 'end' || to.lesson > place.lesson) {
      finished.set(visit.index, { lesson: visit.lesson, verdicts: visit.verdicts });
      if (visit.verdicts.every(held)) options.progress.markDone(visit.lesson.name);
    }
    if (to === 'end') return { results: results(), quit: false };
    place = to;
  }
}

/** Draws the page at `place`: header, text, code, demo, and when interactive the key line. */
async function drawPage(visit: Visit, place: Place, options: WalkOptions): Promise<void> {
  const { keys, write } = options;
  const { lesson, pages, stage } = visit;
  const width = pageWidth();
  // unattended, the lesson's pages follow each other: one header is enough
  if (keys || place.page === 0) write(`${header(visit, options)}\n\n`);
  const parts = splitDirectives(pages[place.page]);
  for (const part of parts) {
    if (part === '.code') {
      const { stageChange, stageListing } = await import('./listing.js'); // diff loads only here
      write(`${(place.wholeFile ? stageListing : stageChange)(lesson, width)}\n\n`);
    } else if (part === '.demo') {
      const shown = visit.demoOutput.get(place.page);
      if (shown !== undefined) write(shown);
      else {
        let text = '';
        visit.verdicts = await runDemo(
          lesson,
          stage,
          (step) => {
            const drawn = `${renderStep(step, width)}\n\n`;
            text += drawn;
            write(drawn);
          },
          { storeChoice: options.storeChoice, signal: keys?.quitSignal, alsoOnExit: onShutdown },
        );
        visit.demoOutput.set(place.page, text);
      }
    } else write(`${renderMarkdown(fill(part, stage.url, options), width)}\n\n`);
  }
  const last = place.page === pages.length - 1;
  const turn = last ? await yourTurn(lesson, keys !== undefined) : '';
  if (turn !== '') write(`${renderMarkdown(turn, width)}\n\n`);
  if (!keys) return;
  if (place.hint) write(`${wrapText(`${chalk.yellow('Hint:')} ${lesson.hint}`, width)}\n\n`);
  const fileKey = parts.includes('.code')
    ? place.wholeFile
      ? '  [f] changes only'
      : '  [f] whole file'
    : '';
  write(
    chalk.dim(
      `page ${place.page + 1}/${pages.length}   [Enter] next  [b] back${fileKey}  [h] hint  [q] quit`,
    ),
  );
}

function header(visit: Visit, options: WalkOptions): string {
  const { lesson, stage, note } = visit;
  const done = options.progress.done.length;
  return [
    `${chalk.bold(`Lesson ${lesson.number} of ${options.total}`)} · ${chalk.bold.blue(lesson.title)}   ${progressBar(done, options.total)}`,
    chalk.dim(`Stage ${lesson.number} is running at `) +
      chalk.bold.underline(stage.url) +
      (note ? chalk.yellow(`  (${note})`) : ''),
  ].join('\n');
}

function fill(text: string, url: string, options: WalkOptions): string {
  return text
    .replaceAll('{{url}}', url)
    .replaceAll(
      '{{secret}}',
      options.secretFromEnvironment
        ? 'SESSION_SECRET is set, so that is the secret in use (the tutor never prints it).'
        : 'SESSION_SECRET is not set, so the tutor made a random 32-byte secret that lasts only for this run.',
    );
}

/**
 * When a page fails because the stage's server stopped answering (closed from outside), says
 * so and restarts it at the same address: interactive, when the learner presses r (false when
 * they quit instead); unattended, at once, the first time. Any other failure is thrown on.
 */
async function recover(
  err: unknown,
  visit: Visit,
  actions: ActionSource,
  { host, keys, write }: WalkOptions,
): Promise<boolean> {
  if (!(err instanceof ProbeError) || (await host.answering())) throw err;
  const { lesson } = visit;
  write(
    `\n${chalk.red(glyphs.fail)} Stage ${lesson.number}'s server stopped answering: ${err.message}\n`,
  );
  if (keys) {
    write(chalk.dim('[r] restart it and show this page again   [q] quit'));
    let action: Action;
    do action = await actions.next();
    while (action !== 'restart' && action !== 'quit');
    if (action === 'quit') return false;
  } else {
    if (visit.restarted) throw err;
    visit.restarted = true;
    write('Restarting it.\n\n');
  }
  visit.stage = (await host.switchTo(lesson)).stage;
  await visit.stage.ready();
  return true;
}

/**
 * The lesson's last words: build it yourself, and let `check` say whether it works. The first
 * lesson with checks says how in full; later ones only what `check` asks, to keep pages short.
 */
async function yourTurn(lesson: LessonInfo, interactive: boolean): Promise<string> {
  const checks = await lessonChecks(lesson);
  if (!checks) return '';
  const n = lesson.number;
  const first = listLessons().find((l) => l.checksOverHttp) === lesson;
  const how = first
    ? `Start from this stage with \`npx session-tutor eject ${n}\`, or from scratch. Run it, then \`npx session-tutor check ${n}\` (\`--watch\` checks again on every save).`
    : `Start from this stage: \`npx session-tutor eject ${n}\`.`;
  return [
    '## Your turn',
    '',
    first
      ? 'Make a server of your own, in any language, that does this:'
      : `\`npx session-tutor check ${n}\` asks of your server:`,
    '',
    ...checks.map((c) => `- ${c.title}`),
    '',
    `${how}${interactive ? ' Press h for a hint.' : ''}`,
    ...(lesson.yourTurnAlso ? ['', lesson.yourTurnAlso] : []),
  ].join('\n');
}

/** Splits a page into Markdown parts and the directive lines `.code` and `.demo`. */
function splitDirectives(page: string): string[] {
  return page
    .split(/^(\.code|\.demo)$/m)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
