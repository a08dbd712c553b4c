import { findSessionCookie, type SessionCookies } from '../probe/find-session-cookie.js';
import { answerOf, type Hop } from '../probe/hop.js';
import { signInFormOf } from '../probe/html.js';
import { greets, rememberedVerdict } from '../probe/verdict.js';
import type { VisitOptions, Visitor } from '../probe/visitor.js';
import { whyNoCookieCameBack } from './cookie-hints.js';
import {
  type CheckContext,
  type DemoContext,
  type Expectation,
  held,
  type Verdict,
} from './types.js';

/**
 * A visitor tells the server its name as a browser does: it opens / and submits the page's form
 * that posts to /setName with the name typed in, so hidden fields (a CSRF token) and the
 * headers of a same-origin form go along. A page without that form (one already signed in)
 * lends the fields of its first form that posts, its token among them; a page without forms
 * gets name alone posted to /setName. Either way lessons past the form are still judged on what
 * they teach (check 3 judges the form).
 */
export async function signIn(
  url: string,
  visitor: Visitor,
  name: string,
  options: VisitOptions = {},
): Promise<{ page: Hop | undefined; posted: Hop[] }> {
  const page = (await visitor.get(`${url}/`)).at(-1);
  const form = signInForm(page);
  const posted =
    page && form
      ? await visitor.submit(page.url, form, { name }, options)
      : await visitor.post(`${url}/setName`, { name }, options);
  return { page, posted };
}

/** The page's form that posts to /setName, else its first form that posts, sent to /setName. */
const signInForm = (page: Hop | undefined) => signInFormOf(page, '/setName');

/** A visitor signs in with its name, then asks for / again; both exchanges, every hop. */
export async function postNameThenReturn(
  url: string,
  visitor: Visitor,
  name: string,
): Promise<{ posted: Hop[]; again: Hop[] }> {
  const { posted } = await signIn(url, visitor, name);
  const again = await visitor.get(`${url}/`);
  return { posted, again };
}

/**
 * The heart of the course: a visitor tells the server its name, then comes back.
 * Remembered or forgotten is decided by what GET / answers on the return visit. The POST's
 * redirect is not followed: the GET / after it is the one a browser would make anyway.
 */
export async function tellNameThenReturn(
  ctx: DemoContext,
  visitor: Visitor,
  name: string,
  expected: 'remembered' | 'forgotten',
  base = ctx.stage.probeUrl,
): Promise<Verdict> {
  const posted = await visitor.post(`${base}/setName`, { name }, { follow: false });
  const again = await visitor.get(`${base}/`);
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [...posted, ...again] });
  return rememberedVerdict(visitor.label, again.at(-1), name, expected);
}

/** A check that a visitor with this cookie habit, which never returns the cookie, is forgotten. */
export function forgottenCheck(
  title: string,
  hint: string,
  label: string,
  habit: 'goldfish' | 'receive-only',
  exerciseHint: string,
): Expectation {
  return {
    title,
    hint,
    exerciseHint,
    async run(ctx) {
      const visitor = ctx.visitor(label, habit);
      const name = ctx.name('Ada');
      const { again } = await postNameThenReturn(ctx.url, visitor, name);
      const verdict = rememberedVerdict(visitor.label, again.at(-1), name, 'forgotten');
      if (!held(verdict)) return verdict;
      // forgetting means something only where a browser that returns the cookie is remembered:
      // a server that forgets everyone (or never sends a cookie) would pass vacuously
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const control = ctx.name('Grace');
      const kept = await postNameThenReturn(ctx.url, browser, control);
      if (greets(kept.again.at(-1), control)) return verdict;
      return {
        ...verdict,
        outcome: 'everyone forgotten',
        evidence: `a browser that keeps cookies was not greeted either: GET / answered ${answerOf(kept.again.at(-1))}`,
        hint:
          whyNoCookieCameBack(kept.posted, kept.again, ctx.url) ??
          'A browser that sends the cookie back must be greeted by its name first: only then does forgetting one that does not mean anything.',
      };
    },
  };
}

/**
 * Which of the cookies `browser` holds after signing in as `name` is the session's, found by
 * experiment (findSessionCookie), through a visitor of this check that keeps no cookies.
 */
export function sessionCookies(
  ctx: CheckContext,
  browser: Visitor,
  name: string,
): Promise<SessionCookies> {
  const tester = ctx.visitor('the same browser, one cookie left out', 'goldfish');
  return findSessionCookie(browser, tester, `${ctx.url}/`, name, async (page, cookie) => {
    const form = signInForm(page);
    return form ? tester.submit(page.url, form, { name }, { cookie, follow: false }) : [];
  });
}
