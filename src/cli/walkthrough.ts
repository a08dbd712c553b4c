import chalk from 'chalk';
import {
  isDirective,
  type LessonInfo,
  listLessons,
  pageParts,
  readPages,
} from '../course/catalog.js';
import { runDemo } from '../course/run.js';
import { type DemoStep, held, type Verdict } from '../course/types.js';
import { ProbeError } from '../probe/hop.js';
import type { StageHost } from '../server/host.js';
import type { RunningStage } from '../server/start.js';
import type { StoreChoice } from '../stage/stores/choose.js';
import { glyphs } from './glyphs.js';
import { hasHelpers } from './helpers.js';
import type { KeyReader } from './keys.js';
import { readAhead, renderPageMarkdown } from './page-markdown.js';
import { type Action, canGoBack, firstPlace, move, type Place, type Shape } from './pager.js';
import type { ProgressFile } from './progress.js';
import { fitLines, progressBar, renderStep, unmarked, wrapText } from './render.js';
import { Screen } from './screen.js';
import { onShutdown } from './shutdown.js';
import { runnableHere } from './tutor-command.js';
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
  /**
   * Runs a lesson's exercise (`e` on its "Your turn" page) with the walk's keys; resolves
   * with whether the learner asked to go on to the next lesson.
   */
  exercise?: (lesson: LessonInfo, keys: KeyReader) => Promise<{ goOn: boolean }>;
  /** Said once, in the first header (such as another copy running). */
  notice?: string;
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
  /** Each page's demo runs once per visit; drawing the page again shows the same steps. */
  demoSteps: Map<number, DemoStep[]>;
  /** Unattended, a stage is restarted once per visit: one that dies again ends the run. */
  restarted: boolean;
}

/**
 * Walks the learner through lessons page by page, running each lesson's stage and demo live.
 * One loop: draw the page where the walk is, take the next action, move (src/cli/pager.ts).
 * Interactive, pages are drawn on a Screen (header and keys fixed, the text between scrolls).
 */
export async function walk(options: WalkOptions): Promise<WalkResult> {
  const { keys } = options;
  const screen = keys ? new Screen() : undefined;
  if (keys && screen) keys.onScroll = (how) => screen.scroll(how);
  try {
    return await walkOn(options, screen);
  } finally {
    screen?.close();
  }
}

async function walkOn(options: WalkOptions, screen: Screen | undefined): Promise<WalkResult> {
  const { lessons, host, keys } = options;
  const actions: ActionSource = keys ?? unattended;
  const allPages = lessons.map((lesson) => readPages(lesson));
  const shape: Shape = allPages.map((pages, l) => {
    const parts = pages.map(pageParts);
    const demoPage = parts.findIndex((p) => p.includes('.demo'));
    const hintFrom = demoPage === -1 ? pages.length - 1 : demoPage;
    const helpers = hasHelpers(lessons[l]);
    return parts.map((p, i) => {
      const code = p.includes('.code');
      return { code, helpers: code && helpers, hint: i >= hintFrom };
    });
  });
  // verdicts of each lesson whose demo ran in this walk (the latest run): what the summary counts
  const demoVerdicts = new Map<number, Verdict[]>();
  const finished = new Map<number, LessonResult>();
  const results = () =>
    [...finished.keys()].sort((a, b) => a - b).map((i) => finished.get(i) as LessonResult);
  let openBrowser = options.openBrowser;
  let notice = options.notice;
  let place = firstPlace(options.first ?? 0);
  let drawn: Place | undefined;
  let visit: Visit | undefined;
  let report = '';

  for (;;) {
    if (visit?.index !== place.lesson) {
      const lesson = lessons[place.lesson];
      const { stage, note } = await host.switchTo(lesson);
      const opened = await openBrowser?.(stage.url);
      const said = [note, opened, notice];
      openBrowser = undefined;
      notice = undefined;
      visit = {
        index: place.lesson,
        lesson,
        pages: allPages[place.lesson],
        stage,
        note: said.filter(Boolean).join('; '),
        demoSteps: new Map(),
        restarted: false,
      };
    }
    const samePage = drawn?.lesson === place.lesson && drawn.page === place.page;
    const showHint = place.hint && !drawn?.hint;
    drawn = place;
    try {
      const page = { visit, place, shape, samePage, showHint, report, screen, demoVerdicts };
      report = '';
      await drawPage(page, options);
    } catch (err) {
      // q pressed mid-demo stops the demo part-way, which it reports as an error: that is a quit
      if (keys?.quitSignal.aborted) return { results: results(), quit: true };
      const recovered = await recover(err, visit, actions, options, screen);
      if (recovered === undefined) return { results: results(), quit: true };
      report = recovered; // the page is drawn again below the report of what went wrong
      drawn = undefined;
      continue;
    }
    // While the learner reads, the stage's app, the demo's HTTP client and marked load, and the
    // next page's text is read (keys wait in line); a stage that cannot load ends the walk here.
    const pending = actions.next();
    const { pages, stage } = visit;
    const ahead = pageParts(pages[place.page + 1] ?? '').filter((part) => !isDirective(part));
    await Promise.all([
      stage.ready(),
      import('../probe/visitor.js'),
      readAhead(ahead.map((part) => fill(part, stage.url, options))),
    ]);
    let action = await pending;
    let to: ReturnType<typeof move> = place;
    let drawAgain = false;
    for (;;) {
      if (action === 'exercise' && keys && options.exercise && (await hasExercise(visit, place))) {
        // the exercise takes the screen; back from it, the page is drawn again or the walk goes on
        const { exercise } = options;
        const { lesson } = visit;
        const run = () => exercise(lesson, keys);
        const { goOn } = await (screen ? screen.lend(run) : run());
        if (goOn) action = 'next';
        else drawAgain = true;
      }
      to = move(place, action, shape);
      if (to !== place || drawAgain) break;
      action = await actions.next();
    }
    if (drawAgain) continue;
    if (to === 'quit') return { results: results(), quit: true };
    if (to === 'end' || to.lesson > place.lesson) {
      const verdicts = demoVerdicts.get(visit.index);
      const hasDemo = visit.pages.some((p) => pageParts(p).includes('.demo'));
      // a lesson counts once its demo ran in this walk (not when b and Enter only passed through it)
      if (verdicts || !hasDemo) {
        finished.set(visit.index, { lesson: visit.lesson, verdicts: verdicts ?? [] });
        if ((verdicts ?? []).every(held)) options.progress.markDone(visit.lesson.name);
      }
    }
    if (to === 'end') return { results: results(), quit: false };
    place = to;
  }
}

interface PageToDraw {
  visit: Visit;
  place: Place;
  shape: Shape;
  /** The same page as last drawn (a hint, the whole file, a new width): the view stays. */
  samePage: boolean;
  /** The hint was just asked for: the view moves down to it. */
  showHint: boolean;
  /** What went wrong on the last try, shown above the page. */
  report: string;
  screen: Screen | undefined;
  demoVerdicts: Map<number, Verdict[]>;
}

/** Draws the page at `place`: header, text, code, demo, and when interactive the keys. */
async function drawPage(page: PageToDraw, options: WalkOptions): Promise<void> {
  const { visit, place, shape, screen } = page;
  const { keys, write } = options;
  const { lesson, pages, stage } = visit;
  const width = pageWidth();
  // printed, a command is whole on its line already; on the screen, the pager keeps it whole
  const put = (text: string, follow = false) =>
    screen ? screen.write(text, follow) : write(unmarked(text));
  const pageNumber = `page ${place.page + 1}/${pages.length}`;
  if (screen) {
    screen.begin(header(visit, options), page.samePage);
  } else if (place.page === 0) write(`${fitLines(header(visit, options), width)}\n\n`); // one header a lesson
  if (page.report) put(page.report);
  const parts = pageParts(pages[place.page]);
  for (const part of parts) {
    if (part === '.code') {
      const { stageChange, stageHelpers, stageListing } = await import('./listing.js'); // diff loads only here
      const view = place.helpers ? stageHelpers : place.wholeFile ? stageListing : stageChange;
      put(`${view(lesson, width)}\n\n`);
    } else if (part.startsWith('.helper ')) {
      if (place.helpers) continue; // the helpers are shown whole already
      const { helperLines } = await import('./listing.js');
      put(`${helperLines(lesson, part, width)}\n\n`);
    } else if (part === '.demo') {
      const shown = visit.demoSteps.get(place.page);
      if (shown !== undefined) for (const step of shown) put(`${renderStep(step, width)}\n\n`);
      else {
        screen?.footer([pageNumber, '[q] quit']); // while the demo runs, only q does something
        const steps: DemoStep[] = [];
        const verdicts = await runDemo(
          lesson,
          stage,
          (step) => {
            steps.push(step);
            put(`${renderStep(step, width)}\n\n`, true);
          },
          { storeChoice: options.storeChoice, signal: keys?.quitSignal, alsoOnExit: onShutdown },
        );
        visit.demoSteps.set(place.page, steps);
        page.demoVerdicts.set(visit.index, verdicts);
      }
    } else put(`${await renderPageMarkdown(fill(part, stage.url, options), width)}\n\n`);
  }
  const last = place.page === pages.length - 1;
  const turn = last ? await yourTurn(lesson, keys !== undefined) : '';
  if (turn !== '') put(`${await renderPageMarkdown(runnableHere(turn), width)}\n\n`);
  if (!screen) return;
  const offersHint = shape[place.lesson][place.page].hint;
  if (place.hint) put(`${wrapText(`${chalk.yellow('Hint:')} ${lesson.hint}`, width)}\n\n`);
  const { code, helpers } = shape[place.lesson][place.page];
  screen.footer(
    [
      pageNumber,
      '[Enter] next',
      canGoBack(place) ? '[b] back' : '',
      code && !place.helpers ? (place.wholeFile ? '[f] changes only' : '[f] whole file') : '',
      helpers ? (place.helpers ? '[i] stage code' : '[i] helpers') : '',
      turn !== '' ? '[e] exercise' : '',
      offersHint && !place.hint ? '[h] hint' : '',
      '[q] quit',
    ].filter(Boolean),
    page.showHint,
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
  return runnableHere(text)
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
 * so and restarts it at the same address: interactive, when the learner presses r; unattended,
 * at once, the first time. Returns the report to show above the page drawn again, or undefined
 * when the learner quit instead. Any other failure is thrown on.
 */
async function recover(
  err: unknown,
  visit: Visit,
  actions: ActionSource,
  { host, keys, write }: WalkOptions,
  screen: Screen | undefined,
): Promise<string | undefined> {
  if (!(err instanceof ProbeError) || (await host.answering())) throw err;
  const { lesson } = visit;
  const report = `${chalk.red(glyphs.fail)} Stage ${lesson.number}'s server stopped answering: ${err.message}`;
  if (keys && screen) {
    screen.write(`\n${report}\n`, true);
    screen.footer(['[r] restart it and show this page again', '[q] quit'], true);
    let action: Action;
    do action = await actions.next();
    while (action !== 'restart' && action !== 'quit');
    if (action === 'quit') return undefined;
  } else {
    if (visit.restarted) throw err;
    visit.restarted = true;
    write(`\n${report}\nRestarting it.\n\n`);
  }
  visit.stage = (await host.switchTo(lesson)).stage;
  await visit.stage.ready();
  return screen ? `${report}\nRestarted it.\n\n` : '';
}

/** True on a lesson's last page ("Your turn") when the lesson has an exercise. */
async function hasExercise(visit: Visit, place: Place): Promise<boolean> {
  return place.page === visit.pages.length - 1 && (await checksOf(visit.lesson)) !== undefined;
}

/**
 * A lesson's checks. Their module loads tough-cookie (about 20 ms), which a first page that is
 * not a lesson's last never needs, so it loads here, not with the walk.
 */
async function checksOf(lesson: LessonInfo) {
  const { lessonChecks } = await import('../course/check.js');
  return lessonChecks(lesson);
}

/**
 * The lesson's last words: build it yourself, and let `check` say whether it works. The first
 * lesson with checks says how in full; later ones only what `check` asks, to keep pages short.
 */
async function yourTurn(lesson: LessonInfo, interactive: boolean): Promise<string> {
  const checks = await checksOf(lesson);
  if (!checks) return '';
  const n = lesson.number;
  const first = listLessons().find((l) => l.checksOverHttp) === lesson;
  // the exercise starts from the stage before (lesson 1: an empty server.js), never the answer
  const start = first
    ? 'Start from an empty server.js, run and checked on every save'
    : `From stage ${n - 1}`;
  // within the word budget, a later lesson's command goes without its line of introduction
  const command = (line: string) => ['```', `npx session-tutor ${line}`, '```', ''];
  return [
    '## Your turn',
    '',
    first
      ? 'Make a server of your own, in any language, that does this:'
      : `\`check ${n}\` asks of your server:`,
    '',
    ...checks.map((c) => `- ${c.title}`),
    '',
    ...(interactive
      ? [`Press e to do it. ${start}.`, '']
      : [...(first ? [`${start}:`, ''] : []), ...command(`exercise ${n}`)]),
    ...(first ? ['Or, in any language:', '', ...command(`exercise ${n} --url URL`)] : []),
    ...(interactive ? ['Press h for a hint.'] : []),
    ...(lesson.yourTurnAlso ? ['', lesson.yourTurnAlso] : []),
  ].join('\n');
}
