import type { Hop } from '../probe/hop.js';
import { attribute, formsOf, pageOf } from '../probe/html.js';
import { noSetCookie } from './cookie-hints.js';
import {
  type CheckContext,
  type DemoContext,
  type Expectation,
  held,
  type Verdict,
} from './types.js';
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
  const has = setCookie !== undefined && madeForFrames(setCookie);
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
    title: 'GET /embedded frames the app from another site with a partitioned cookie',
    needsSessionCookie: true,
    hint: 'Serve /embedded with an <iframe> of the app at the other host name (localhost and 127.0.0.1 are different sites) whose sign-in sets its cookie with SameSite=None; Secure; Partitioned.',
    exerciseHint:
      "Add app.get('/embedded', …) framing the app at the other host name (localhost ↔ 127.0.0.1), as embeddedPage in ../pages.js builds, and a copy under /partitioned/ with loopbackCountsAsSecure (../loopback.js) and a session cookie with sameSite: 'none', secure: true, partitioned: true.",
    async run(ctx) {
      const tab = ctx.visitor('browser tab (cookie jar)', 'jar');
      const page = (await tab.get(`${ctx.url}/embedded`)).at(-1);
      const framing = embeddedVerdict(page, ctx.url);
      if (!held(framing) || !page) return framing;
      return partitionedFrameVerdict(ctx, page);
    },
  },
];

/**
 * A cookie a browser sets and sends in another site's frame, as CHIPS asks a server to write it:
 * `Set-Cookie: __Host-name=value; Secure; Path=/; SameSite=None; Partitioned;`
 * (developer.chrome.com/docs/privacy-sandbox/chips). Partitioned is refused without Secure
 * (the CHIPS draft, datatracker.ietf.org/doc/draft-cutler-httpbis-partitioned-cookies), and in a
 * cross-site frame Chrome sets a partitioned cookie only with an explicit SameSite=None
 * (web-platform-tests cookies/partitioned-cookies/partitioned-cookies-samesite-attribute.https.html).
 */
function madeForFrames(setCookie: string): boolean {
  const attributes = setCookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
  return ['samesite=none', 'secure', 'partitioned'].every((a) => attributes.includes(a));
}

/**
 * Lesson 6's fix, seen as the framed app: each frame of /embedded from another site is opened and
 * told a name through its own form, as a visitor in the frame would; one of them must answer with
 * a cookie made for frames.
 */
async function partitionedFrameVerdict(
  ctx: CheckContext,
  embedded: Hop,
): Promise<Verdict & { hint?: string }> {
  let unanswered: Hop | undefined; // a sign-in in a frame that brought no Set-Cookie at all
  const frame = ctx.visitor('a simulated frame of /embedded', 'receive-only');
  const seen: string[] = [];
  for (const src of otherSiteFrames(embedded, ctx.url)) {
    const framed = (await frame.get(src)).at(-1);
    const form = formsOf(framed).find((f) => f.method === 'post');
    if (!framed || !form) {
      seen.push(`${src}: no form`);
      continue;
    }
    const [posted] = await frame.submit(
      framed.url,
      form,
      { name: ctx.name('Ada') },
      { follow: false },
    );
    const cookie = posted?.setCookie.find(madeForFrames);
    if (cookie) {
      return {
        label: 'GET /embedded',
        outcome: 'frames another site with a partitioned cookie',
        expected: 'frames another site with a partitioned cookie',
        evidence: `${src}: Set-Cookie: …; ${cookie.split(';').slice(1).join(';').trim()}`,
      };
    }
    if (posted && posted.status < 400 && posted.setCookie.length === 0) unanswered = posted;
    const sent = posted?.setCookie.map(
      (c) => c.split(';').slice(1).join(';').trim() || 'no attributes',
    );
    seen.push(`${src}: ${sent?.length ? `Set-Cookie: …; ${sent.join(' | ')}` : 'no Set-Cookie'}`);
  }
  return {
    label: 'GET /embedded',
    outcome: 'no frame gets a partitioned cookie',
    expected: 'frames another site with a partitioned cookie',
    evidence: seen.join('; '),
    ...(unanswered && {
      // a Secure cookie over plain http is withheld: stage 6 counts loopback as secure to show it
      hint: `${noSetCookie('POST', new URL(unanswered.url).origin, new URL(unanswered.url).pathname)} Chrome and Firefox keep a Secure cookie from http://localhost, but the server must still send it: stage 6 does with loopbackCountsAsSecure (loopback.ts).`,
    }),
  };
}

/** The frames of a page whose address is on another host than `url`. */
function otherSiteFrames(page: Hop, url: string): string[] {
  const own = new URL(url).hostname;
  return pageOf(page)
    .elements('iframe')
    .flatMap((frame) => {
      const src = attribute(frame, 'src');
      try {
        const at = src === undefined ? undefined : new URL(src, page.url);
        return at && at.hostname !== own ? [at.href] : [];
      } catch {
        return [];
      }
    });
}

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
