import { randomBytes } from 'node:crypto';
import { type ExplainedCookie, explainCookie } from './cookies.js';
import { findSessionCookie, type SessionCookies } from './find-session-cookie.js';
import { type Hop, ProbeError } from './hop.js';
import { formPostingTo, signInFormOf } from './html.js';
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
  /**
   * What the browser's experiment proved the cookie is, once it was remembered: the session's
   * cookie, a CSRF cookie, or one not needed to be remembered (see findSessionCookie).
   */
  role?: string;
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
  let roles: SessionCookies | undefined;

  for (const { label, habit, expected } of visitors) {
    const visitor = new Visitor(label, habit);
    const hops: Hop[] = [];
    const visit: ProbeVisit = { visitor: label, habit, hops };
    try {
      hops.push(...(await visitor.get(url)));
      hops.push(...(await tell(visitor, hops.at(-1), post, fields)));
      hops.push(...(await visitor.get(url)));
      visit.verdict = rememberedVerdict(label, hops.at(-1), told, expected);
      if (habit === 'jar' && visit.verdict.outcome === 'remembered') {
        roles = await cookieRoles(visitor, url, post, fields, told);
      }
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
  const steady = await measureOpaque(report, url, post, fields, told);
  if (roles) nameRoles(report.cookies, roles, steady);
  return report;
}

/** Which cookie of the remembered browser holds the session, by experiment, not by name. */
async function cookieRoles(
  browser: Visitor,
  url: string,
  post: string,
  fields: Record<string, string>,
  told: string,
): Promise<SessionCookies> {
  const tester = new Visitor('the same browser, one cookie left out', 'goldfish');
  try {
    return await findSessionCookie(browser, tester, url, told, async (page, cookie) => {
      const form = signInFormOf(page, new URL(post).pathname);
      return form ? tester.submit(page.url, form, fields, { cookie, follow: false }) : [];
    });
  } catch (err) {
    // the experiment only names cookies: a server that fails it leaves them as they look
    if (err instanceof ProbeError) return { others: {} };
    throw err;
  } finally {
    await tester.close();
  }
}

/**
 * Says what each cookie proved to be: the session's, or another (a CSRF cookie, a preference)
 * that holds no session. What its value shows (readable data, encrypted data) stays said.
 */
function nameRoles(cookies: SeenCookie[], roles: SessionCookies, steady: Set<string>): void {
  for (const cookie of cookies) {
    const other = roles.others[cookie.name];
    if (cookie.name === roles.session) {
      cookie.role = "the session's cookie: without it the server forgets the name";
    } else if (other) {
      cookie.role = other;
    } else {
      continue;
    }
    // an opaque session cookie that kept its size for a longer name only names the session
    const summary = steady.has(cookie.name)
      ? 'it did not grow with a name 200 characters longer: the data stays on the server, the cookie only says which session is yours'
      : cookie.summary;
    cookie.summary =
      cookie.kind === 'opaque' && cookie.name !== roles.session
        ? `${cookie.role}; the name is remembered without it, so it holds no session${roles.session ? ` (${roles.session} does)` : ''}`
        : `${cookie.role}. ${capitalized(summary)}`;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Tells the server the fields as a browser would: through the page's own form that posts to
 * `post` when it has one (its hidden fields, a CSRF token among them, go along), else as a bare
 * form posted to `post`.
 */
async function tell(
  visitor: Visitor,
  page: Hop | undefined,
  post: string,
  fields: Record<string, string>,
): Promise<Hop[]> {
  const form = formPostingTo(page, new URL(post).pathname);
  return page && form ? visitor.submit(page.url, form, fields) : visitor.post(post, fields);
}

/**
 * Where the data of an opaque cookie lives, measured: a new browser tells a value 200 characters
 * longer, and a cookie that grows with it carries the data, encrypted since it cannot be read.
 * Returns the opaque cookies that were set again and kept their size: they carry no data.
 */
async function measureOpaque(
  report: ProbeReport,
  url: string,
  post: string,
  fields: Record<string, string>,
  told: string,
): Promise<Set<string>> {
  const steady = new Set<string>();
  const opaque = report.cookies.filter((c) => c.kind === 'opaque');
  if (opaque.length === 0 || told === undefined) return steady;
  const key = Object.entries(fields).find(([, value]) => value === told)?.[0] ?? 'name';
  const visitor = new Visitor('browser (cookie jar), a longer name', 'jar');
  try {
    const page = (await visitor.get(url)).at(-1);
    const longer = `${told}${randomBytes(100).toString('hex')}`;
    const hops = await tell(visitor, page, post, { ...fields, [key]: longer });
    for (const line of hops.flatMap((hop) => hop.setCookie)) {
      const grown = explainCookie(line);
      const before = opaque.find((c) => c.name === grown?.name);
      if (grown && before && grown.value.length - before.value.length >= 100) {
        before.kind = 'encrypted-data';
        before.summary = `the data travels in the cookie, encrypted: it grew from ${before.value.length} to ${grown.value.length} characters for a name 200 characters longer, yet cannot be read`;
      } else if (grown && before) {
        steady.add(grown.name);
      }
    }
  } catch (err) {
    // the measurement only sharpens an explanation: a server that fails it keeps "opaque"
    if (!(err instanceof ProbeError)) throw err;
  } finally {
    await visitor.close();
  }
  return steady;
}
