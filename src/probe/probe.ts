import { randomBytes } from 'node:crypto';
import { type ExplainedCookie, explainCookie } from './cookies.js';
import { type Hop, ProbeError } from './hop.js';
import { rememberedVerdict, type Verdict } from './verdict.js';
import { type CookieHabit, Visitor } from './visitor.js';

export interface ProbePlan {
  /** The page to visit first and to come back to. */
  url: string;
  /** Where the form is posted: a path or address, taken relative to `url`. */
  post: string;
  /** The form sent; empty means `name=<a generated name>`. */
  fields: Record<string, string>;
}

export interface ProbeVisit {
  visitor: string;
  habit: CookieHabit;
  hops: Hop[];
  /** Absent when the visit could not finish; `problem` says why. */
  verdict?: Verdict;
  problem?: string;
}

export interface SeenCookie extends ExplainedCookie {
  /** The Set-Cookie line as the server sent it. */
  setCookie: string;
}

export interface ProbeReport {
  url: string;
  post: string;
  fields: Record<string, string>;
  visits: ProbeVisit[];
  /** Each cookie the server set, by name, explained from the first Set-Cookie line seen for it. */
  cookies: SeenCookie[];
}

const visitors: { label: string; habit: CookieHabit; expected: 'forgotten' | 'remembered' }[] = [
  { label: 'goldfish (no cookie jar)', habit: 'goldfish', expected: 'forgotten' },
  { label: 'browser (cookie jar)', habit: 'jar', expected: 'remembered' },
];

/**
 * The course's central demonstration against any server: GET the page, post a name, GET the
 * page again, first as a goldfish that keeps no cookies, then as a browser with a cookie jar.
 * Throws ProbeError when the server cannot be reached at all.
 */
export async function probeServer(
  plan: ProbePlan,
  onVisit: (visit: ProbeVisit) => void = () => {},
): Promise<ProbeReport> {
  const url = new URL(plan.url).href;
  const post = new URL(plan.post, url).href;
  const fields =
    Object.keys(plan.fields).length > 0
      ? plan.fields
      : { name: `Ada-${randomBytes(3).toString('hex')}` };
  // the value the page should show on the way back: the name field, else the first field
  const told = fields.name ?? Object.values(fields)[0];
  const report: ProbeReport = { url, post, fields, visits: [], cookies: [] };

  for (const { label, habit, expected } of visitors) {
    const visitor = new Visitor(label, habit);
    const hops: Hop[] = [];
    const visit: ProbeVisit = { visitor: label, habit, hops };
    try {
      hops.push(...(await visitor.get(url)));
      hops.push(...(await visitor.post(post, fields)));
      hops.push(...(await visitor.get(url)));
      visit.verdict = rememberedVerdict(label, hops.at(-1), told, expected);
    } catch (err) {
      if (err instanceof ProbeError) {
        // nothing answered at all: there is nothing to show, only the reason
        if (hops.length === 0 && err.hops.length === 0) throw err;
        hops.push(...err.hops);
      }
      visit.problem =
        err instanceof ProbeError
          ? err.message
          : `The answer could not be understood: ${(err as Error).message}`;
    } finally {
      await visitor.close();
    }
    report.visits.push(visit);
    onVisit(visit);
  }

  for (const line of report.visits.flatMap((v) => v.hops.flatMap((hop) => hop.setCookie))) {
    const cookie = explainCookie(line);
    if (cookie && !report.cookies.some((seen) => seen.name === cookie.name)) {
      report.cookies.push({ setCookie: line, ...cookie });
    }
  }
  return report;
}
