import { randomBytes } from 'node:crypto';
import { type Hop, ProbeError } from '../probe/hop.js';
import type { CookieHabit, VisitOptions } from '../probe/visitor.js';
import { type LessonInfo, lessonModule, listLessons } from './catalog.js';
import { noCookieAtAll } from './cookie-hints.js';
import type { CheckContext, Expectation, Verdict } from './types.js';
import { held } from './types.js';

/** A hop and who made it, in the order the requests finished. */
export interface SeenHop {
  visitor: string;
  hop: Hop;
}

export interface CheckResult {
  title: string;
  passed: boolean;
  /** Absent when the expectation could not finish; `problem` says why. */
  verdict?: Verdict;
  problem?: string;
  /** Shown only on a failure: the expectation's hint, or a sharper one read from the responses. */
  hint?: string;
  hops: SeenHop[];
}

export interface CheckReport {
  lesson: number;
  title: string;
  url: string;
  passed: boolean;
  /** Set when the server could not be reached at all; then no expectation was run. */
  unreachable?: string;
  /**
   * The stage number when the server is one of session-tutor's own stages: with `notTutorStage`,
   * no expectation was run then, since a pass would say nothing of the learner's server.
   */
  tutorStage?: number;
  results: CheckResult[];
}

export interface CheckOptions {
  /** Run no expectation against one of session-tutor's own stages (`check` without --tutor-stage). */
  notTutorStage?: boolean;
}

/** Lesson N's expectations, or undefined when its idea cannot be seen over HTTP. */
export async function lessonChecks(lesson: LessonInfo): Promise<Expectation[] | undefined> {
  const { checks } = await lessonModule(lesson);
  return checks && checks.length > 0 ? checks : undefined;
}

/**
 * Runs a lesson's expectations, one after the other, against a server at `url`.
 * A server that cannot be reached fails at once (within the Visitor's timeout), with no other checks run.
 */
export async function runChecks(
  lesson: LessonInfo,
  checks: Expectation[],
  url: string,
  onResult: (result: CheckResult) => void = () => {},
  options: CheckOptions = {},
): Promise<CheckReport> {
  const { Visitor } = await import('../probe/visitor.js');
  const base = url.replace(/\/+$/, '');
  const report: CheckReport = {
    lesson: lesson.number,
    title: lesson.title,
    url: base,
    passed: false,
    results: [],
  };

  const first = new Visitor('reachability', 'goldfish');
  try {
    const [answer] = await first.get(`${base}/`, { follow: false });
    report.tutorStage = answer?.tutorStage;
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    report.unreachable = err.message;
    return report;
  } finally {
    await first.close();
  }
  if (report.tutorStage !== undefined && options.notTutorStage) return report;

  for (const expectation of checks) {
    const hops: SeenHop[] = [];
    const visitors: InstanceType<typeof Visitor>[] = [];
    // Each visit is recorded, also the hops made before a failure, so the learner sees what was sent.
    class RecordingVisitor extends Visitor {
      override async visit(method: string, target: string, options?: VisitOptions) {
        try {
          const made = await super.visit(method, target, options);
          hops.push(...made.map((hop) => ({ visitor: this.label, hop })));
          return made;
        } catch (err) {
          if (err instanceof ProbeError) {
            hops.push(...err.hops.map((hop) => ({ visitor: this.label, hop })));
          }
          throw err;
        }
      }
    }
    const ctx: CheckContext = {
      url: base,
      visitor(label: string, habit: CookieHabit) {
        const visitor = new RecordingVisitor(label, habit);
        visitors.push(visitor);
        return visitor;
      },
      name: (prefix) => `${prefix}-${uniqueSuffix()}`,
    };
    let result: CheckResult;
    try {
      const { hint, ...verdict } = await expectation.run(ctx);
      const passed = held(verdict);
      result = {
        title: expectation.title,
        passed,
        verdict,
        hint: passed
          ? undefined
          : (hint ??
            (expectation.needsSessionCookie
              ? noCookieAtAll(
                  hops.map((seen) => seen.hop),
                  base,
                )
              : undefined) ??
            expectation.hint),
        hops,
      };
    } catch (err) {
      // a learner's server can answer anything; whatever it was, this expectation failed on it
      result = {
        title: expectation.title,
        passed: false,
        problem:
          err instanceof ProbeError
            ? err.message
            : `The answer could not be understood: ${(err as Error).message}`,
        hint: expectation.hint,
        hops,
      };
    } finally {
      await Promise.all(visitors.map((v) => v.close()));
    }
    report.results.push(result);
    onResult(result);
  }
  report.passed = report.results.every((r) => r.passed);
  return report;
}

function uniqueSuffix(): string {
  return randomBytes(4).readUInt32BE().toString(36).padStart(6, '0').slice(-5);
}

/** One lesson's line of the report card. */
export interface CardLine {
  lesson: LessonInfo;
  /** Not applicable: the lesson's idea cannot be seen over HTTP (lessons 9 and 10), so it has no checks. */
  status: 'passed' | 'failed' | 'not applicable';
  report?: CheckReport;
}

export interface ReportCard {
  url: string;
  lines: CardLine[];
  /** Set when the server could not be reached: the card stops at the first lesson it tried. */
  unreachable?: string;
  /** Set when the server is one of session-tutor's own stages and was not to be checked. */
  tutorStage?: number;
}

/**
 * `check --all`: every lesson's checks in order against one server. A lesson whose stage looks
 * the same on the wire as the one before (lesson 2) is checked like any other: it passes on a
 * server that does what it asks, even if that server got there a lesson earlier.
 */
export async function runReportCard(
  url: string,
  onLine: (line: CardLine) => void = () => {},
  options: CheckOptions = {},
): Promise<ReportCard> {
  const card: ReportCard = { url: url.replace(/\/+$/, ''), lines: [] };
  for (const lesson of listLessons()) {
    const checks = await lessonChecks(lesson);
    if (!checks) {
      const line: CardLine = { lesson, status: 'not applicable' };
      card.lines.push(line);
      onLine(line);
      continue;
    }
    const report = await runChecks(lesson, checks, card.url, undefined, options);
    if (report.unreachable) {
      card.unreachable = report.unreachable;
      return card;
    }
    if (report.tutorStage !== undefined && options.notTutorStage) {
      card.tutorStage = report.tutorStage;
      return card;
    }
    const line: CardLine = { lesson, status: report.passed ? 'passed' : 'failed', report };
    card.lines.push(line);
    onLine(line);
  }
  return card;
}

/** "lessons 1–5 pass; lesson 6 is the next to do", from the card's lines. */
export function cardSummary(card: ReportCard): string {
  const checked = card.lines.filter((l) => l.status !== 'not applicable');
  const next = checked.find((l) => l.status === 'failed');
  if (!next) return `all ${checked.length} lessons that can be checked over HTTP pass`;
  const before = checked.filter((l) => l.lesson.number < next.lesson.number);
  const after = checked
    .filter((l) => l.lesson.number > next.lesson.number && l.status === 'passed')
    .map((l) => l.lesson.number);
  const last = before.at(-1)?.lesson.number;
  const passed =
    last === undefined ? '' : last === 1 ? 'lesson 1 passes; ' : `lessons 1–${last} pass; `;
  const also =
    after.length === 0
      ? ''
      : ` (${after.length === 1 ? 'lesson' : 'lessons'} ${listWords(after)} ${after.length === 1 ? 'passes' : 'pass'} too)`;
  return `${passed}lesson ${next.lesson.number} is the next to do${also}`;
}

function listWords(numbers: number[]): string {
  return numbers.length === 1
    ? String(numbers[0])
    : `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}
