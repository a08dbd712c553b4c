import type { Cookie } from 'tough-cookie';
import type { Hop } from './hop.js';
import { formsOf } from './html.js';
import { greets } from './verdict.js';
import type { Visitor } from './visitor.js';

/** The cookies a browser holds for a server after signing in, and which of them holds the session. */
export interface SessionCookies {
  /** The cookie whose absence makes the server forget, when exactly one does. */
  session?: string;
  /** The others, by name, with what they are: "a CSRF cookie: …", "not needed to be remembered". */
  others: Record<string, string>;
}

/**
 * Finds the session cookie by experiment, not by name: after `browser` signed in as `name`, a
 * cookie is the session's when GET `url` without it forgets the name. Another cookie is a CSRF
 * cookie when its value is a field of the page's forms (the double-submit pattern), or when
 * `resubmit` (the sign-in form, sent again without it) is refused with 403. `tester` keeps no
 * cookies, so the browser's own jar stays as it was.
 */
export async function findSessionCookie(
  browser: Visitor,
  tester: Visitor,
  url: string,
  name: string,
  resubmit: (page: Hop, cookie: string) => Promise<Hop[]>,
): Promise<SessionCookies> {
  const held = await browser.jar.getCookies(url);
  const without = (cookie: Cookie) =>
    held
      .filter((other) => other !== cookie)
      .map((other) => other.cookieString())
      .join('; ');
  // the forms as the browser sees them, all its cookies sent: a double-submit token matches there
  const all = (await tester.get(url, { cookie: held.map((c) => c.cookieString()).join('; ') })).at(
    -1,
  );
  const entries = formsOf(all).flatMap((form) => form.entries);
  const others: Record<string, string> = {};
  const needed: string[] = [];
  for (const cookie of held) {
    const back = await tester.get(url, { cookie: without(cookie) });
    const page = back.at(-1);
    if (!greets(page, name)) {
      needed.push(cookie.key);
      continue;
    }
    const values = [cookie.value, safeDecode(cookie.value)];
    const field = entries.find(([, value]) => value !== '' && values.includes(value));
    if (field) {
      others[cookie.key] = `a CSRF cookie: its value is the form's hidden field ${field[0]}`;
      continue;
    }
    const tried = page ? await resubmit(page, without(cookie)) : [];
    others[cookie.key] =
      tried[0]?.status === 403
        ? 'a CSRF cookie: without it the sign-in form is refused (403)'
        : 'not needed to be remembered';
  }
  return needed.length === 1 ? { session: needed[0], others } : { others };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
