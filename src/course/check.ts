import { randomBytes } from 'node:crypto';
import type { CookieHabit, Hop, VisitOptions } from '../probe/visitor.js';
import { type LessonInfo, lessonModule } from './catalog.js';
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
  results: CheckResult[];
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
): Promise<CheckReport> {
  const { ProbeError, Visitor } = await import('../probe/visitor.js');
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
    await first.get(`${base}/`, { follow: false });
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    report.unreachable = err.message;
    return report;
  } finally {
    await first.close();
  }

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
        hint: passed ? undefined : (hint ?? expectation.hint),
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

/**
 * When a server's session cookie carries the data itself, the framework that made it, known by
 * its shape, and in one sentence the option that keeps the data on the server instead.
 */
export function serverSideOption(setCookies: string[]): string | undefined {
  const cookies = setCookies.map((line) => {
    const [nameValue] = line.split(';');
    const at = nameValue.indexOf('=');
    return { name: nameValue.slice(0, at).trim(), value: nameValue.slice(at + 1).trim() };
  });
  const names = new Set(cookies.map((c) => c.name));
  const signed = cookies.find((c) => names.has(`${c.name}.sig`));
  if (signed) {
    return `${signed.name} with ${signed.name}.sig is the shape of cookie-session, which keeps the data in the cookie: use express-session with a store, which keeps it on the server.`;
  }
  for (const { name, value } of cookies) {
    const plain = value.replace(/^"(.*)"$/, '$1');
    // itsdangerous: base64url payload (a leading dot when compressed), a 6-character timestamp
    // and a signature, joined by dots
    if (/^\.?[\w-]{8,}\.[\w-]{6}\.[\w-]{20,}$/.test(plain)) {
      return `${name}=payload.timestamp.signature is the shape of Flask's default session (itsdangerous), which keeps the data in the cookie: Flask-Session, with SESSION_TYPE set to "redis" or "filesystem", keeps it on the server.`;
    }
    // Django's signed_cookies engine: the same three parts, joined by colons
    if (/^\.?[\w-]{8,}:[0-9A-Za-z]{5,7}:[\w-]{20,}$/.test(plain)) {
      return `${name}=payload:timestamp:signature is the shape of Django's signed_cookies session engine, which keeps the data in the cookie: set SESSION_ENGINE to "django.contrib.sessions.backends.db", the default, to keep it on the server.`;
    }
  }
  return undefined;
}
