import type { Cookie } from 'tough-cookie';
import type { Hop } from '../probe/hop.js';
import { formPostingTo, formsOf, type PageForm } from '../probe/html.js';
import { greets, rememberedVerdict } from '../probe/verdict.js';
import type { VisitOptions, Visitor } from '../probe/visitor.js';
import type { CheckContext, DemoContext, Expectation, Verdict } from './types.js';

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
function signInForm(page: Hop | undefined): PageForm | undefined {
  const posting = formsOf(page).find((f) => f.method === 'post');
  return (
    formPostingTo(page, '/setName') ??
    (posting && { ...posting, action: new URL('/setName', posting.action).href })
  );
}

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
      return rememberedVerdict(visitor.label, again.at(-1), name, 'forgotten');
    },
  };
}

/** The cookies a browser holds for a server after signing in, and which of them holds the session. */
export interface SessionCookies {
  /** The cookie whose absence makes the server forget, when exactly one does. */
  session?: string;
  /** The others, by name, with what they are: "a CSRF cookie: …", "not needed to be remembered". */
  others: Record<string, string>;
}

/**
 * Finds the session cookie by experiment, not by name: after `browser` signed in as `name`, a
 * cookie is the session's when GET / without it forgets the name. Another cookie is a CSRF
 * cookie when the sign-in form is refused without it. The experiments go through a visitor
 * that keeps nothing, so the browser's own jar stays as it was.
 */
export async function sessionCookies(
  ctx: CheckContext,
  browser: Visitor,
  name: string,
): Promise<SessionCookies> {
  const held = await browser.jar.getCookies(`${ctx.url}/`);
  const without = (cookie: Cookie) =>
    held
      .filter((other) => other !== cookie)
      .map((other) => other.cookieString())
      .join('; ');
  const tester = ctx.visitor('the same browser, one cookie left out', 'goldfish');
  const others: Record<string, string> = {};
  const needed: string[] = [];
  for (const cookie of held) {
    const back = await tester.get(`${ctx.url}/`, { cookie: without(cookie) });
    if (!greets(back.at(-1), name)) {
      needed.push(cookie.key);
      continue;
    }
    const page = back.at(-1);
    const form = signInForm(page);
    const tried =
      page && form
        ? await tester.submit(page.url, form, { name }, { cookie: without(cookie), follow: false })
        : [];
    others[cookie.key] =
      tried[0]?.status === 403
        ? 'a CSRF cookie: without it the sign-in form is refused (403)'
        : 'not needed to be remembered';
  }
  return needed.length === 1 ? { session: needed[0], others } : { others };
}
