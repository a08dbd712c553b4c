import { answerOf } from '../probe/hop.js';
import { pageOf } from '../probe/html.js';
import { greets, rememberedVerdict } from '../probe/verdict.js';
import { whyNoCookieCameBack } from './cookie-hints.js';
import { watchStore } from './stored.js';
import type { DemoContext, Expectation, Verdict } from './types.js';
import { forgottenCheck, postNameThenReturn, tellNameThenReturn } from './visits.js';

// Only a visitor that sends the cookie back can be found again.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const madeHere = await watchStore(ctx.stage.store);
  const goldfish = ctx.visitor('goldfish (no cookie jar)', 'goldfish');
  const grace = ctx.visitor('Grace (cookie jar)', 'jar');
  const linus = ctx.visitor('Linus (cookie jar)', 'jar');
  const forgotten = await tellNameThenReturn(ctx, goldfish, 'Ada', 'forgotten');
  // Two visitors at once: each cookie points at its own session. Grace's requests are drawn;
  // Linus's are the same, with his own cookie.
  const remembered = await Promise.all([
    tellNameThenReturn(ctx, grace, 'Grace', 'remembered'),
    tellNameThenReturn({ ...ctx, show: () => {} }, linus, 'Linus', 'remembered'),
  ]);
  ctx.show({ kind: 'store', entries: await madeHere() });
  return [forgotten, ...remembered];
}

export const checks: Expectation[] = [
  {
    title: 'a browser that sends the cookie back is greeted by its name',
    hint: 'In GET /, read the name from the session and put it in the page.',
    exerciseHint:
      'In GET /, read req.session.myName: when it is set, answer with a page that shows it instead of the form.',
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const name = ctx.name('Grace');
      const { posted, again } = await postNameThenReturn(ctx.url, browser, name);
      return {
        ...rememberedVerdict(browser.label, again.at(-1), name, 'remembered'),
        hint: whyNoCookieCameBack(posted, again, ctx.url),
      };
    },
  },
  forgottenCheck(
    'a visitor that keeps no cookies is not greeted by the name it gave',
    'Find the visitor only by the session cookie: a request without it is a new visitor.',
    'goldfish (no cookie jar)',
    'goldfish',
    'Read the name only from req.session, which a visitor without the cookie does not have; never from a variable all requests share.',
  ),
  {
    title: 'two browsers at once each get their own name back',
    needsSessionCookie: true,
    hint: 'Keep the name in each visitor’s own session, not in one variable shared by everyone.',
    exerciseHint:
      'Keep the name in req.session.myName, one per visitor, not in a variable outside the route.',
    async run(ctx) {
      const grace = ctx.visitor('Grace (cookie jar)', 'jar');
      const linus = ctx.visitor('Linus (cookie jar)', 'jar');
      const names = [ctx.name('Grace'), ctx.name('Linus')];
      const [a, b] = await Promise.all([
        postNameThenReturn(ctx.url, grace, names[0]),
        postNameThenReturn(ctx.url, linus, names[1]),
      ]);
      // each must see its own name and not the other's
      const pages = [a.again.at(-1), b.again.at(-1)];
      const own = greets(pages[0], names[0]) && greets(pages[1], names[1]);
      const crossed = greets(pages[0], names[1]) || greets(pages[1], names[0]);
      return {
        label: 'Grace and Linus',
        outcome: own && !crossed ? 'each their own name' : crossed ? 'names mixed up' : 'forgotten',
        expected: 'each their own name',
        evidence: `Grace's GET / answered ${pages[0]?.keyLine ?? 'nothing'}; Linus's answered ${pages[1]?.keyLine ?? 'nothing'}`,
      };
    },
  },
  {
    title: 'a name with HTML in it is shown as text, escaped',
    needsSessionCookie: true,
    hint: 'Escape the name before putting it into HTML (< becomes &lt;), or use a template engine that does.',
    exerciseHint:
      'Put the name into the page through escapeHtml (from ../pages.js): escapeHtml(name) inside the <h1>.',
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const name = `<b>${ctx.name('Eve')}</b>`;
      const { again } = await postNameThenReturn(ctx.url, browser, name);
      const page = again.at(-1);
      // judged from the parsed page, so any valid escaping passes (&lt;, &#60;, &#x3C;, …)
      const raw = page !== undefined && pageOf(page).madeElement(name);
      return {
        label: `the name ${name}`,
        outcome: raw ? 'put into the page as HTML' : greets(page, name) ? 'escaped' : 'not shown',
        expected: 'escaped',
        evidence: raw
          ? `GET / answered with ${name} as markup: a name holding <script> would run`
          : `GET / answered ${answerOf(page)}`,
      };
    },
  },
];
