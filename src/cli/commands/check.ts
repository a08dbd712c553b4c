import { watch as watchFiles } from 'node:fs';
import { createInterface } from 'node:readline';
import chalk from 'chalk';
import { findLesson, type LessonInfo, lessonNumber } from '../../course/catalog.js';
import {
  type CardLine,
  type CheckReport,
  type CheckResult,
  cardSummary,
  lessonChecks,
  type ReportCard,
  runChecks,
  runReportCard,
  type SeenHop,
} from '../../course/check.js';
import { UserError } from '../../errors.js';
import { briefHop } from '../../probe/visitor.js';
import { glyphs } from '../glyphs.js';
import { stageListing } from '../listing.js';
import { onShutdown } from '../shutdown.js';
import { httpUrl } from './probe.js';

interface CheckOptions {
  url: string;
  json?: boolean;
  watch?: boolean;
  all?: boolean;
}

/**
 * `check N`: lesson N's expectations against the learner's own server; `check --all`: every
 * lesson's, as a report card. Exit 0 when all pass, 1 when any fails.
 */
export async function check(n: string | undefined, options: CheckOptions): Promise<void> {
  if (options.all && n !== undefined) {
    throw new UserError(`Give a lesson number or --all, not both: check ${n}, or check --all.`);
  }
  if (options.all) return checkAll(options);
  if (n === undefined) {
    throw new UserError(
      'Say which lesson to check, such as `check 5`, or use `check --all` for every lesson.',
    );
  }
  const lesson = findLesson(lessonNumber(n));
  const checks = await lessonChecks(lesson);
  if (!checks) {
    throw new UserError(
      `Lesson ${lesson.number} (${lesson.title}) has nothing that can be seen over HTTP, so there is nothing to check: ` +
        'run `session-tutor list` and pick another lesson.',
    );
  }
  const url = serverUrl(options);
  if (options.watch) {
    return watchChecks(url, async () => {
      write(header(lesson, url));
      const report = await runChecks(lesson, checks, url, (result) => write(resultLines(result)));
      write(summaryLines(report));
      return report;
    });
  }
  if (!options.json) write(header(lesson, url));
  const report = await runChecks(
    lesson,
    checks,
    url,
    options.json ? undefined : (result) => write(resultLines(result)),
  );
  if (options.json) write(`${JSON.stringify(reportJson(report), null, 2)}\n`);
  else write(summaryLines(report));
  process.exitCode = report.passed ? 0 : 1;
}

const write = (text: string) => process.stdout.write(text);

/** The server to check, without a trailing slash; --json and --watch cannot go together. */
function serverUrl(options: CheckOptions): string {
  const url = httpUrl(options.url).replace(/\/+$/, '');
  if (options.watch && options.json) {
    throw new UserError('--json and --watch do not go together: pick one.');
  }
  return url;
}

function header(lesson: LessonInfo, url: string): string {
  return `${chalk.bold(`Checking lesson ${lesson.number}, ${lesson.title},`)} against ${chalk.underline(url)}\n\n`;
}

function resultLines(result: CheckResult): string {
  const mark = result.passed ? chalk.green(glyphs.pass) : chalk.red(glyphs.fail);
  const lines = [`${mark} ${chalk.bold(result.title)}`];
  for (const seen of result.hops) lines.push(...hopLines(seen));
  const { verdict } = result;
  if (verdict) {
    const outcome = result.passed
      ? chalk.green(verdict.outcome)
      : `${chalk.red(verdict.outcome)}, expected ${chalk.bold(verdict.expected)}`;
    lines.push(`    ${verdict.label}: ${outcome}`, `    ${chalk.dim(verdict.evidence)}`);
  }
  if (result.problem) lines.push(`    ${chalk.red(result.problem)}`);
  if (result.hint) lines.push(`    ${chalk.yellow('hint:')} ${result.hint}`);
  return `${lines.join('\n')}\n\n`;
}

/** One request and its answer in two lines: what was sent, what came back. */
function hopLines({ visitor, hop }: SeenHop): string[] {
  const url = new URL(hop.url);
  const form = hop.form ? `  ${new URLSearchParams(hop.form).toString()}` : '';
  const sent = `    ${chalk.dim('→')} ${hop.method} ${url.pathname}${url.search}${form}  ${chalk.dim('Cookie:')} ${hop.cookieSent ?? chalk.dim('none')}  ${chalk.dim(`(${visitor})`)}`;
  const got = [`${hop.status}`];
  if (hop.location) got.push(`Location: ${hop.location}`);
  for (const cookie of hop.setCookie) got.push(`Set-Cookie: ${chalk.yellow(cookie)}`);
  if (hop.keyLine && (hop.status < 300 || hop.status >= 400)) got.push(chalk.italic(hop.keyLine));
  return [sent, `    ${chalk.dim('←')} ${got.join('  ')}`];
}

function summaryLines(report: CheckReport): string {
  if (report.passed) {
    // once it works, the tutor's own version is worth comparing with
    return `${chalk.green.bold(`All ${report.results.length} expectations of lesson ${report.lesson} pass.`)} The tutor's stage ${report.lesson}, for comparison:\n\n${stageListing(findLesson(report.lesson))}\n`;
  }
  if (report.unreachable) {
    return `${chalk.red(glyphs.fail)} ${report.unreachable}\n  ${chalk.dim(`Make sure your server is running and answering, or tell check where it is with --url. No expectation of lesson ${report.lesson} was run.`)}\n`;
  }
  const passed = report.results.filter((r) => r.passed).length;
  const total = report.results.length;
  return `${chalk.red.bold(`${passed} of ${total} expectations of lesson ${report.lesson} pass.`)} Read the hints above, change your server, and run check again.\n`;
}

/** The report as one JSON document: hops without their full bodies, which can be large. */
function reportJson(report: CheckReport) {
  return {
    ...report,
    results: report.results.map((result) => ({
      ...result,
      hops: result.hops.map(({ visitor, hop }) => ({ visitor, ...briefHop(hop) })),
    })),
  };
}

/**
 * `check N --watch`: runs the checks, then again whenever a file under the current folder
 * changes or Enter is pressed. While the server is down (as when `node --watch` restarts it),
 * it waits for it to answer, then runs.
 */
async function watchChecks(
  url: string,
  runOnce: () => Promise<{ unreachable?: string }>,
): Promise<void> {
  let wake: (() => void) | undefined;
  let pending = true;
  const trigger = () => {
    pending = true;
    wake?.();
  };
  let debounce: NodeJS.Timeout | undefined;
  const onChange = (_event: string, file: string | null) => {
    if (file && /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(file)) return;
    // an editor's save is often several writes: run once they have settled
    clearTimeout(debounce);
    debounce = setTimeout(trigger, 200);
  };
  // a folder too large or unreadable to watch still leaves Enter to run the checks again
  const noWatching = (err: Error) => {
    process.stderr.write(
      `warning: cannot watch ${process.cwd()} for changes (${err.message}); press Enter to check again.\n`,
    );
  };
  let watcher: ReturnType<typeof watchFiles> | undefined;
  try {
    watcher = watchFiles(process.cwd(), { recursive: true }, onChange);
    watcher.on('error', (err) => {
      noWatching(err);
      watcher?.close();
    });
  } catch (err) {
    noWatching(err as Error);
  }
  const input = createInterface({ input: process.stdin });
  let quit = false;
  input.on('line', (line) => {
    if (line.trim() === 'q') {
      quit = true;
      wake?.();
    } else trigger();
  });
  const stop = () => {
    clearTimeout(debounce);
    watcher?.close();
    input.close();
  };
  const removeCleanup = onShutdown(stop);
  try {
    while (!quit) {
      if (!pending) await new Promise<void>((resolve) => (wake = resolve));
      if (quit) break;
      pending = false;
      if (process.stdout.isTTY) write('\x1b[2J\x1b[H');
      const report = await runOnce();
      write(
        chalk.dim(
          `\n${report.unreachable ? 'Waiting for your server; it' : 'Watching files here; check'} runs again when a file changes. Enter: run now · q Enter: quit\n`,
        ),
      );
      if (report.unreachable) await waitUntilAnswering(url, () => pending || quit);
      if (report.unreachable && !quit) pending = true;
    }
  } finally {
    stop();
    removeCleanup();
  }
}

/** Asks the server again every half second until it answers, or `interrupted()` says to stop. */
async function waitUntilAnswering(url: string, interrupted: () => boolean): Promise<void> {
  const [{ setTimeout: delay }, { Visitor }] = await Promise.all([
    import('node:timers/promises'),
    import('../../probe/visitor.js'),
  ]);
  const visitor = new Visitor('reachability', 'goldfish');
  try {
    while (!interrupted()) {
      try {
        await visitor.get(`${url}/`, { follow: false });
        return;
      } catch {
        await delay(500);
      }
    }
  } finally {
    await visitor.close();
  }
}

/** `check --all`: the report card, one line per lesson, then where the learner stands. */
async function checkAll(options: CheckOptions): Promise<void> {
  const url = serverUrl(options);
  if (options.watch) {
    return watchChecks(url, () => printCard(url));
  }
  if (options.json) {
    const card = await runReportCard(url);
    write(`${JSON.stringify(cardJson(card), null, 2)}\n`);
    process.exitCode = cardPassed(card) ? 0 : 1;
    return;
  }
  process.exitCode = cardPassed(await printCard(url)) ? 0 : 1;
}

async function printCard(url: string): Promise<ReportCard> {
  write(`${chalk.bold('Checking every lesson')} against ${chalk.underline(url)}\n\n`);
  const card = await runReportCard(url, (line) => write(cardLine(line)));
  if (card.unreachable) {
    write(
      `${chalk.red(glyphs.fail)} ${card.unreachable}\n  ${chalk.dim('Make sure your server is running and answering, or tell check where it is with --url.')}\n`,
    );
  } else {
    const summary = cardSummary(card);
    write(`\n${cardPassed(card) ? chalk.green.bold(summary) : chalk.bold(summary)}\n`);
  }
  return card;
}

const cardPassed = (card: ReportCard) =>
  card.unreachable === undefined && card.lines.every((l) => l.status !== 'failed');

function cardLine({ lesson, status, report }: CardLine): string {
  const name = `${String(lesson.number).padStart(2)} ${lesson.title}`;
  if (status === 'not applicable') {
    return `${chalk.dim(`– ${name}: not applicable, its idea cannot be seen over HTTP`)}\n`;
  }
  const results = report?.results ?? [];
  if (status === 'passed') {
    return `${chalk.green(glyphs.pass)} ${name}: passed (${results.length} of ${results.length})\n`;
  }
  const failed = results.find((r) => !r.passed);
  const why = failed?.verdict
    ? `${failed.verdict.outcome}, expected ${failed.verdict.expected}`
    : failed?.problem;
  return `${chalk.red(glyphs.fail)} ${name}: failed: ${failed?.title}${why ? ` (${why})` : ''}\n`;
}

/** The card as JSON: one entry per lesson, with each expectation's verdict (no hops). */
function cardJson(card: ReportCard) {
  const lines = card.lines.map(({ lesson, status, report }) => {
    const results = report?.results ?? [];
    return {
      lesson: lesson.number,
      title: lesson.title,
      status,
      passed: results.filter((r) => r.passed).length,
      failed: results.filter((r) => !r.passed).length,
      expectations: results.map(({ hops: _hops, ...result }) => result),
    };
  });
  return card.unreachable === undefined
    ? lines
    : [...lines, { lesson: lines.length + 1, unreachable: card.unreachable }];
}
