import { randomBytes } from 'node:crypto';
import { explainCookie } from '../probe/cookies.js';
import { formPostingTo } from '../probe/html.js';
import { greets, rememberedVerdict } from '../probe/verdict.js';
import type { Visitor } from '../probe/visitor.js';
import { clientSideSessionApp } from '../server/contrasts.js';
import { listenApp } from '../server/start.js';
import { watchStore } from './stored.js';
import {
  type CheckContext,
  type DemoContext,
  type Expectation,
  held,
  type Verdict,
} from './types.js';
import { postNameThenReturn, tellNameThenReturn } from './visits.js';

// Logging out of a server-side session destroys the data; a copy of the cookie then
// leads nowhere. A client-side session carries the data in the cookie itself, so a copy lives on:
// cookie-session's README says it does not prevent replay. Flask and Django, as lesson 8 says, refuse
// a copy older than the session's lifetime: Flask's SecureCookieSessionInterface.open_session
// loads with max_age=permanent_session_lifetime, Django's signed_cookies backend with
// max_age=SESSION_COOKIE_AGE.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const madeHere = await watchStore(ctx.stage.store);
  const ada = ctx.visitor('Ada (cookie jar)', 'jar');
  const serverSide = await logOutAndReplay(ctx, ada, ctx.stage.probeUrl, 'Ada', 'forgotten');
  ctx.show({ kind: 'store', entries: await madeHere() });

  const clientSide = ctx.own(
    await listenApp(clientSideSessionApp(randomBytes(32).toString('hex'))),
  );
  ctx.show({
    kind: 'say',
    text: 'The same steps with a client-side session (cookie-session).',
  });
  const grace = ctx.visitor('Grace (cookie jar, client-side session)', 'jar');
  // cookie-session's logout empties the jar's cookie, but the copy still holds the signed name
  const clientSideVerdicts = await logOutAndReplay(
    ctx,
    grace,
    clientSide.probeUrl,
    'Grace',
    'remembered',
  );
  return [...serverSide, ...clientSideVerdicts];
}

/** Tell the name, copy the cookie, log out, then come back with the copy. */
async function logOutAndReplay(
  ctx: DemoContext,
  visitor: Visitor,
  base: string,
  name: string,
  copyAfterLogout: 'remembered' | 'forgotten',
): Promise<Verdict[]> {
  // telling the name was lesson 5: only logging out and the copy are drawn
  const told = await tellNameThenReturn(
    { ...ctx, show: () => {} },
    visitor,
    name,
    'remembered',
    base,
  );
  const copy = await visitor.jar.getCookieString(base);
  // a client-side session's cookie, taken apart: the data itself (lesson 4 took Ada's apart)
  const [kept] = await visitor.jar.getCookies(base);
  const cookie = kept && explainCookie(kept.toString());
  if (cookie?.kind === 'readable') ctx.show({ kind: 'cookie', cookie });
  ctx.show({ kind: 'say', text: `${name} has told her name; a copy of her cookie is kept.` });
  const out = await visitor.post(`${base}/logout`, {});
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: out });
  const replayed = await visitor.get(`${base}/`, { cookie: copy });
  ctx.show({ kind: 'hops', visitor: `${visitor.label}, replaying the copy`, hops: replayed });
  return [
    { ...told, label: `${name}, before logging out` },
    rememberedVerdict(`${name}, after logging out`, out.at(-1), name, 'forgotten'),
    {
      ...rememberedVerdict(
        `${name}'s copied cookie, after logout`,
        replayed.at(-1),
        name,
        copyAfterLogout,
      ),
      unsafe: copyAfterLogout === 'remembered' ? 'a stolen copy still works' : undefined,
    },
  ];
}

/** Signs in, keeps a copy of the cookies, logs out; then the browser, and the copy, come back. */
async function logOut(ctx: CheckContext) {
  const browser = ctx.visitor('a browser (cookie jar)', 'jar');
  const name = ctx.name('Ada');
  const { again } = await postNameThenReturn(ctx.url, browser, name);
  const copy = await browser.jar.getCookieString(ctx.url);
  // as a browser submits the page's logout form, hidden fields (a CSRF token) and all; a page
  // without one gets a bare POST /logout
  const page = again.at(-1);
  const form = formPostingTo(page, '/logout');
  const out =
    page && form
      ? await browser.submit(page.url, form)
      : await browser.post(`${ctx.url}/logout`, {});
  return { browser, name, signedIn: greets(again.at(-1), name), copy, out };
}

export const checks: Expectation[] = [
  {
    title: 'after POST /logout, the browser is a stranger again',
    needsSessionCookie: true,
    hint: 'Add POST /logout: delete the session on the server, clear its cookie, redirect to /. With express-session: req.session.destroy().',
    exerciseHint:
      "Add app.post('/logout', …): req.session.destroy(), then res.clearCookie('connect.sid') and res.redirect('./'); a Forget me form on the greeting page posts there.",
    async run(ctx) {
      const { browser, name, signedIn, out } = await logOut(ctx);
      const back = await browser.get(`${ctx.url}/`);
      const verdict = rememberedVerdict(browser.label, back.at(-1), name, 'forgotten');
      return signedIn
        ? { ...verdict, evidence: `POST /logout answered ${out[0].status}; ${verdict.evidence}` }
        : {
            ...verdict,
            outcome: 'never remembered',
            evidence: 'the name was not greeted before logout',
          };
    },
  },
  {
    title: 'after logout, a copy of the old cookie is forgotten too',
    needsSessionCookie: true,
    hint: 'Logging out must delete the session on the server, not only the cookie: a copied cookie must lead nowhere. With express-session: req.session.destroy(), which removes it from the store.',
    exerciseHint:
      'Log out with req.session.destroy(), which deletes the session from the store; clearing the cookie alone leaves a copied cookie working.',
    async run(ctx) {
      const { browser, name, signedIn, copy } = await logOut(ctx);
      const replayed = await browser.get(`${ctx.url}/`, { cookie: copy });
      const verdict = rememberedVerdict('the copied cookie', replayed.at(-1), name, 'forgotten');
      // a copy that holds the name itself is a session kept in the cookie: nothing on the server
      // can be deleted, so the cause is where the session lives, not how logout deletes it
      const carried = copy
        .split('; ')
        .map((pair) => explainCookie(pair))
        .find((cookie) => JSON.stringify(cookie?.payload ?? '').includes(name));
      return signedIn
        ? carried && !held(verdict)
          ? {
              ...verdict,
              hint: `The copy carries the session itself (${carried.name} holds ${name}), so the server has nothing to delete and the copy stays valid. Keep the session on the server, where logout can delete it, and send only its ID in the cookie. With express-session: a store, and req.session.destroy() at logout.`,
            }
          : verdict
        : {
            ...verdict,
            outcome: 'never remembered',
            evidence: 'the name was not greeted before logout',
          };
    },
  },
];
