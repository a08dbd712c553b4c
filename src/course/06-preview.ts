import type { Hop } from '../probe/hop.js';
import { attribute, pageOf } from '../probe/html.js';
import type { DemoContext, Expectation, Verdict } from './types.js';
import { forgottenCheck, tellNameThenReturn } from './visits.js';

// The preview pane, simulated: a client that takes cookies and never returns them, as a browser
// does with a cookie it will not keep in a cross-site frame. The real browser is tested on
// /embedded (test/browser.test.ts).
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  ctx.show({
    kind: 'say',
    text: `A simulation: this "preview pane" never returns cookies, as Chrome does in another site's frame (see it at ${ctx.stage.url}/embedded).`,
  });
  const preview = ctx.visitor('preview pane (simulated)', 'receive-only');
  // lesson 5 showed a tab that returns the cookie remembered: the contrast is left to the browser
  const verdicts = [await tellNameThenReturn(ctx, preview, 'Ada', 'forgotten')];
  // the fix: the cookie the copy under /partitioned/ sends
  const newcomer = ctx.visitor('a visitor at /partitioned/', 'jar');
  const [framed] = await newcomer.post(
    `${ctx.stage.probeUrl}/partitioned/setName`,
    { name: 'Grace' },
    { follow: false },
  );
  verdicts.push(partitionedVerdict(framed.setCookie[0]));
  // at the address the learner opens: the frame then shows the host their browser frames
  const [embedded] = await newcomer.get(`${ctx.stage.url}/embedded`);
  verdicts.push(embeddedVerdict(embedded, ctx.stage.url));
  return verdicts;
}

/**
 * The cookie a browser keeps inside another site's frame: SameSite=None, Secure and Partitioned.
 * Partitioned (CHIPS) shipped in Chrome and Edge 114 (developer.chrome.com/docs/privacy-sandbox/chips)
 * and Firefox (on again since 141: wiki.php.net/rfc/chips). MDN's "Cookies Having Independent
 * Partitioned State" page marks it Baseline 2025, in every major browser since December 2025, the
 * month of Safari 26.2: lesson 6 names that version.
 */
function partitionedVerdict(setCookie: string | undefined): Verdict {
  const attributes = (setCookie ?? '').split(';').map((a) => a.trim().toLowerCase());
  const has = ['samesite=none', 'secure', 'partitioned'].every((a) => attributes.includes(a));
  return {
    label: 'the cookie of /partitioned/',
    outcome: has ? 'made for frames' : 'not kept in a frame',
    expected: 'made for frames',
    evidence: setCookie
      ? `Set-Cookie: …; ${setCookie.split(';').slice(1).join(';').trim()}`
      : 'no Set-Cookie',
  };
}

export const checks: Expectation[] = [
  forgottenCheck(
    'a framed copy that takes the cookie but never returns it is forgotten',
    'Find the visitor only by the session cookie, never by address or anything else a request carries.',
    'preview pane (simulated)',
    'receive-only',
    'Find the visitor by req.session only: a frame that never returns the cookie must get the form again.',
  ),
  {
    title: 'GET /embedded shows the app in a frame from another site',
    hint: 'Serve /embedded with an <iframe> whose src is the app at the other host name: localhost and 127.0.0.1 are different sites.',
    exerciseHint:
      "Add app.get('/embedded', …) that sends a page with an <iframe> whose src is the app at the other host name (localhost ↔ 127.0.0.1), as embeddedPage in ../pages.js builds.",
    async run(ctx) {
      const tab = ctx.visitor('browser tab (cookie jar)', 'jar');
      const page = (await tab.get(`${ctx.url}/embedded`)).at(-1);
      return embeddedVerdict(page, ctx.url);
    },
  },
];

function embeddedVerdict(page: Hop | undefined, url: string): Verdict {
  const frame = page && attribute(pageOf(page).elements('iframe')[0], 'src');
  let host: string | undefined;
  try {
    host = frame === undefined ? undefined : new URL(frame, page?.url).hostname;
  } catch {
    host = undefined;
  }
  return {
    label: 'GET /embedded',
    outcome:
      host !== undefined && host !== new URL(url).hostname
        ? 'frames another site'
        : frame !== undefined
          ? 'frames the same site'
          : 'no frame',
    expected: 'frames another site',
    evidence:
      frame !== undefined
        ? `<iframe src="${frame}">`
        : page
          ? `${page.status} ${page.keyLine}`
          : 'no answer',
  };
}
