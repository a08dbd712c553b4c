import chalk from 'chalk';
import { findLesson, type LessonInfo, listLessons } from '../../course/catalog.js';
import {
  type CardLine,
  type CheckReport,
  type CheckResult,
  type CheckOptions as CourseCheckOptions,
  cardSummary,
  lessonChecks,
  type ReportCard,
  runChecks,
  runReportCard,
  type SeenHop,
} from '../../course/check.js';
import { UserError } from '../../errors.js';
import { briefHop } from '../../probe/hop.js';
import { watchChecks } from '../check-watch.js';
import { glyphs } from '../glyphs.js';
import { stageListing } from '../listing.js';
import { allPass, fitLines, somePass } from '../render.js';
import { tutorCommand } from '../tutor-command.js';
import { httpUrl } from './probe.js';

interface CheckOptions {
  url: string;
  json?: boolean;
  watch?: boolean;
  all?: boolean;
  /** --tutor-stage: check even one of session-tutor's own stages. */
  tutorStage?: boolean;
}

/** Why a report on session-tutor's own stage would say nothing of the learner's server. */
export function tutorStageSentence(url: string, stage: number): string {
  return (
    `This is session-tutor's own stage ${stage}, not your server: the tutor runs it at ${url} (start, lesson or serve). ` +
    'Start your server on another port and give it with --url, or add --tutor-stage to check this one anyway.'
  );
}

/**
 * `check N`: lesson N's expectations against the learner's own server; `check --all`: every
 * lesson's, as a report card. Exit 0 when all pass, 1 when any fails.
 */
export async function check(lesson: LessonInfo | undefined, options: CheckOptions): Promise<void> {
  if (options.all && lesson !== undefined) {
    throw new UserError(
      `Give a lesson number or --all, not both: check ${lesson.number}, or check --all.`,
    );
  }
  if (options.all) return checkAll(options);
  if (lesson === undefined) {
    throw new UserError(
      'Say which lesson to check, such as `check 5`, or use `check --all` for every lesson.',
    );
  }
  const checks = await lessonChecks(lesson);
  if (!checks) {
    throw new UserError(
      `Lesson ${lesson.number} (${lesson.title}) has nothing that can be seen over HTTP, so there is nothing to check: ` +
        `run \`${tutorCommand()} list\` and pick another lesson.`,
    );
  }
  const url = serverUrl(options);
  const checkOptions = { notTutorStage: options.tutorStage !== true };
  if (options.watch) {
    return watchChecks(url, async () => {
      say(header(lesson, url));
      const report = await runChecks(
        lesson,
        checks,
        url,
        (result) => say(resultLines(result)),
        checkOptions,
      );
      say(summaryLines(report, true));
      return report;
    });
  }
  if (!options.json) say(header(lesson, url));
  const report = await runChecks(
    lesson,
    checks,
    url,
    options.json ? undefined : (result) => say(resultLines(result)),
    checkOptions,
  );
  const refused = report.tutorStage !== undefined && report.results.length === 0;
  if (options.json) {
    if (refused) throw new UserError(tutorStageSentence(url, report.tutorStage as number));
    write(`${JSON.stringify(reportJson(report), null, 2)}\n`);
  } else say(summaryLines(report));
  process.exitCode = refused ? 2 : report.passed ? 0 : 1;
}

const write = (text: string) => process.stdout.write(text);
/** Prose, wrapped at words to the terminal; a cookie's value longer than a line is cut. */
const say = (text: string) => write(fitLines(text));

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
  const sent = `    ${chalk.dim('→')} ${hop.method} ${url.pathname}${url.search}${form}  ${chalk.dim('Cookie:')} ${hop.cookieSent ?? chalk.dim('none')}  ${chalk.dim(`· ${visitor}`)}`;
  const got = [`${hop.status}`];
  if (hop.location) got.push(`Location: ${hop.location}`);
  for (const cookie of hop.setCookie) got.push(`Set-Cookie: ${chalk.yellow(cookie)}`);
  if (hop.keyLine && (hop.status < 300 || hop.status >= 400)) got.push(chalk.italic(hop.keyLine));
  return [sent, `    ${chalk.dim('←')} ${got.join('  ')}`];
}

function summaryLines(report: CheckReport, watching = false): string {
  if (report.passed) {
    // once it works, the tutor's own version is worth comparing with
    return `${chalk.green.bold(`${allPass(report.results.length, report.lesson)}.`)} The tutor's stage ${report.lesson}, for comparison:\n\n${stageListing(findLesson(report.lesson))}\n`;
  }
  if (report.tutorStage !== undefined && report.results.length === 0) {
    return `${chalk.red(glyphs.fail)} ${tutorStageSentence(report.url, report.tutorStage)}\n`;
  }
  if (report.unreachable) {
    return `${chalk.red(glyphs.fail)} ${report.unreachable}\n  ${chalk.dim(`Make sure your server is running and answering, or tell check where it is with --url. No expectation of lesson ${report.lesson} was run.`)}\n`;
  }
  const passed = report.results.filter((r) => r.passed).length;
  const total = report.results.length;
  return `${chalk.red.bold(`${somePass(passed, total, report.lesson)}.`)} Read the hints above and change your server${watching ? ': saving a file checks again' : ', then run check again'}.\n`;
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

/** `check --all`: the report card, one line per lesson, then where the learner stands. */
async function checkAll(options: CheckOptions): Promise<void> {
  const url = serverUrl(options);
  const checkOptions = { notTutorStage: options.tutorStage !== true };
  if (options.watch) {
    return watchChecks(url, () => printCard(url, checkOptions));
  }
  if (options.json) {
    const card = await runReportCard(url, undefined, checkOptions);
    if (card.tutorStage !== undefined)
      throw new UserError(tutorStageSentence(url, card.tutorStage));
    write(`${JSON.stringify(cardJson(card), null, 2)}\n`);
    process.exitCode = cardPassed(card) ? 0 : 1;
    return;
  }
  const card = await printCard(url, checkOptions);
  process.exitCode = card.tutorStage !== undefined ? 2 : cardPassed(card) ? 0 : 1;
}

async function printCard(url: string, options: CourseCheckOptions): Promise<ReportCard> {
  say(`${chalk.bold('Checking every lesson')} against ${chalk.underline(url)}\n\n`);
  const card = await runReportCard(url, (line) => say(cardLine(line)), options);
  if (card.tutorStage !== undefined) {
    say(`${chalk.red(glyphs.fail)} ${tutorStageSentence(url, card.tutorStage)}\n`);
  } else if (card.unreachable) {
    say(
      `${chalk.red(glyphs.fail)} ${card.unreachable}\n  ${chalk.dim('Make sure your server is running and answering, or tell check where it is with --url.')}\n`,
    );
  } else {
    const summary = cardSummary(card);
    say(`\n${cardPassed(card) ? chalk.green.bold(summary) : chalk.bold(summary)}\n`);
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

/**
 * The card as JSON: one entry per lesson, `[{ lesson, title, status, passed, failed,
 * expectations }]`, each expectation with its verdict and every request and response (hops
 * without their bodies, as in `check N --json`). A server that cannot be reached ends the card
 * with the lesson it stopped at, status `unreachable` and the reason.
 */
function cardJson(card: ReportCard) {
  const lines = card.lines.map(({ lesson, status, report }) => {
    const results = report ? reportJson(report).results : [];
    return {
      lesson: lesson.number,
      title: lesson.title,
      status,
      passed: results.filter((r) => r.passed).length,
      failed: results.filter((r) => !r.passed).length,
      expectations: results,
    };
  });
  if (card.unreachable === undefined) return lines;
  const stopped = listLessons().find((l) => !lines.some((line) => line.lesson === l.number));
  return [
    ...lines,
    {
      lesson: stopped?.number ?? lines.length + 1,
      title: stopped?.title ?? '',
      status: 'unreachable',
      passed: 0,
      failed: 0,
      expectations: [],
      unreachable: card.unreachable,
    },
  ];
}
