import { randomBytes } from 'node:crypto';
import type { Hop } from '../probe/hop.js';
import {
  attribute,
  filledIn,
  formPostingTo,
  formsOf,
  type PageForm,
  pageOf,
  textOf,
} from '../probe/html.js';
import { browserHeaders } from '../probe/navigation.js';
import { greets } from '../probe/verdict.js';
import type { Visitor } from '../probe/visitor.js';
import { startAttackPage } from '../server/attack-page.js';
import type { ListeningApp } from '../server/start.js';
import { startStage } from '../server/start.js';
import type { CheckContext, DemoContext, Expectation, Verdict } from './types.js';
import { signIn } from './visits.js';

export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  if (!ctx.stageBefore) throw new Error('lesson 12 compares its stage with the one before');
  const stage11 = ctx.own(
    await startStage(ctx.stageBefore, { secret: randomBytes(32).toString('hex') }),
  );
  const before = await attack(ctx, stage11, 11);
  const own = await attack(ctx, ctx.stage, ctx.stage.number);
  return [...before.verdicts, ...own.verdicts, ...(await defences(ctx, own))];
}

interface Attacked {
  verdicts: Verdict[];
  /** Ada's browser, still signed in unless the attack changed that. */
  ada: Visitor;
  /** The attack page's form, as her browser received it. */
  form: PageForm;
}

/**
 * Ada signs in, then her browser opens the attack page, whose form asks the stage to log her out
 * ("Forget me"): an action that needs her session. On stage 11 the page is first reached as another
 * host (another site), then, as everywhere else, at another port of the stage's own host (the same
 * site).
 */
async function attack(ctx: DemoContext, stage: ListeningApp, number: number): Promise<Attacked> {
  const attackPage = ctx.own(await startAttackPage(stage.probeUrl, '127.0.0.1', 0));
  const ada = ctx.visitor(`Ada's browser, on stage ${number}`, 'jar');
  await ada.post(`${stage.probeUrl}/setName`, { name: 'Ada' });
  const [form] = formsOf((await ada.get(`${attackPage.probeUrl}/`)).at(-1));
  const verdicts: Verdict[] = [];
  // stage 11, started for the comparison; the lesson's own stage is expected to lock both out
  const before = stage !== ctx.stage;
  if (before) {
    // a browser withholds a Lax cookie from another site's POST (RFC 6265bis, "SameSite
    // Cookies"; test/browser-csrf.test.ts shows it in Chromium): the jar does the same here
    const otherSite = `http://${otherHost(stage.probeUrl)}:${attackPage.port}`;
    // stage 11 is not the server at the top, so it is named; localhost and 127.0.0.1 are one
    // computer but two sites, and the port is no part of a site
    // (https://developer.mozilla.org/en-US/docs/Glossary/Site)
    ctx.show({
      kind: 'say',
      text: `Simulated browser, as in Chromium: Ada signs in to stage ${number}, ${stage.probeUrl}. Its attack page, ${attackPage.probeUrl}, is the same site; from ${otherSite}, another site on this computer, her Lax cookie stays home.`,
    });
    verdicts.push(
      await forge(ctx, ada, form, stage, otherSite, {
        label: `stage ${number}: the attack page’s logout, from another site`,
        expected: 'refused (403), Ada',
      }),
    );
  }
  verdicts.push(
    await forge(ctx, ada, form, stage, attackPage.probeUrl, {
      label: `stage ${number}: the attack page’s logout, from the same site`,
      expected: before ? 'accepted, logged out' : 'refused (403), Ada',
      unsafe: before ? 'the attack works' : undefined,
    }),
  );
  return { verdicts, ada, form };
}

/** Ada's browser submits the attack page's form as a page at `from` would make it do. */
async function forge(
  ctx: DemoContext,
  ada: Visitor,
  form: PageForm,
  stage: ListeningApp,
  from: string,
  claim: Pick<Verdict, 'label' | 'expected' | 'unsafe'>,
): Promise<Verdict> {
  // from another site, the browser withholds her Lax cookie (tough-cookie's sameSiteContext 'none')
  const crossSite = browserHeaders(from, form.action)['sec-fetch-site'] === 'cross-site';
  const forged = await ada.submit(
    `${from}/`,
    form,
    {},
    { sameSite: crossSite ? 'none' : undefined },
  );
  const back = await ada.get(`${stage.probeUrl}/`);
  if (stage !== ctx.stage) ctx.show({ kind: 'hops', visitor: ada.label, hops: forged.slice(0, 1) });
  return {
    ...claim,
    outcome: `${refused(forged[0])}, ${nameShown(back.at(-1))}`,
    evidence: `${said(forged[0])}, then GET / ${back.at(-1)?.keyLine}`,
  };
}

/** The other loopback name: localhost and 127.0.0.1 are two sites to a browser. */
const otherHost = (url: string) =>
  new URL(url).hostname === 'localhost' ? '127.0.0.1' : 'localhost';

/**
 * On this stage, the token alone stops the form from an older browser. (That Ada's own forms
 * still work, `check 12` asks of every server, this stage included.)
 */
async function defences(ctx: DemoContext, { ada, form }: Attacked): Promise<Verdict[]> {
  // an older browser sends neither header: only the token is left to tell the form apart
  const old = await ada.post(form.action, filledIn(form, {}));
  return [
    {
      label: `stage ${ctx.stage.number}: the form without those headers (old browsers)`,
      outcome: refused(old[0]),
      expected: 'refused (403)',
      evidence: said(old[0]),
    },
  ];
}

const refused = (hop: Hop) => (hop.status === 403 ? 'refused (403)' : 'accepted');

/** What the server said to a POST: its status, and the sentence of its problem page, if any. */
function said(hop: Hop): string {
  // src/stage/pages.ts's problem page: <div class="problem"><h1>403</h1><p>why</p></div>
  const box = pageOf(hop)
    .elements('div')
    .find((div) => attribute(div, 'class') === 'problem');
  const reason =
    box &&
    pageOf(hop)
      .elements('p')
      .find((p) => p.parentNode === box);
  const problem = reason && textOf(reason);
  return `POST ${hop.status}${problem ? ` (${problem})` : ''}`;
}

const nameShown = (hop: Hop | undefined) => (greets(hop, 'Ada') ? 'Ada' : 'logged out');

/** Signs a victim in, sends a forged rename with her cookie, and reports whose name she then sees. */
async function forgedRename(
  ctx: CheckContext,
  label: string,
  forge: (victim: Visitor, page: Hop | undefined, mallory: string) => Promise<Hop[]>,
): Promise<Verdict> {
  const victim = ctx.visitor('Ada (cookie jar)', 'jar');
  const [ada, mallory] = [ctx.name('Ada'), ctx.name('Mallory')];
  const { posted: hops } = await signIn(ctx.url, victim, ada);
  if (!greets(hops.at(-1), ada)) {
    return {
      label,
      outcome: 'Ada was never signed in',
      expected: 'name unchanged',
      evidence: `signing in with the page's own form answered ${hops.at(-1)?.status} ${hops.at(-1)?.keyLine}`,
    };
  }
  const forged = await forge(victim, hops.at(-1), mallory);
  const back = (await victim.get(`${ctx.url}/`)).at(-1);
  return {
    label,
    outcome: greets(back, mallory)
      ? 'renamed Mallory'
      : greets(back, ada)
        ? 'name unchanged'
        : 'Ada was signed out',
    expected: 'name unchanged',
    evidence: `the forged POST answered ${forged[0]?.status}; then GET / answered ${back?.keyLine}`,
  };
}

/** Another origin on the same site: the same host, the next port. */
function foreignOrigin(url: string): string {
  const { protocol, hostname, port } = new URL(url);
  const next = (Number(port) || (protocol === 'https:' ? 443 : 80)) + 1;
  return `${protocol}//${hostname}:${next}`;
}

export const checks: Expectation[] = [
  {
    title: 'a forged POST without the token changes nothing',
    needsSessionCookie: true,
    hint: 'Keep a random token in each session, put it in a hidden field of every form, and refuse (403) a POST whose field does not match it.',
    exerciseHint:
      "Keep a random token in the session (req.session.csrfToken ??= randomBytes(32).toString('base64url')), put it in a hidden _csrf field of every form, and answer 403 to a POST of a signed-in visitor whose _csrf does not match.",
    run: (ctx) =>
      forgedRename(ctx, 'a form from another page, without the token', (victim, _page, name) =>
        victim.post(`${ctx.url}/setName`, { name }),
      ),
  },
  {
    title: 'a POST from another origin is refused, token or not',
    needsSessionCookie: true,
    hint: 'Refuse a POST whose Sec-Fetch-Site is not same-origin (or none), or, without it, whose Origin is not your own.',
    exerciseHint:
      'Before the routes, refuse (403) any POST whose Sec-Fetch-Site header is not same-origin or none, or, when it is missing, whose Origin is not your own.',
    run: (ctx) =>
      forgedRename(
        ctx,
        `a form from ${foreignOrigin(ctx.url)}, the same site`,
        (victim, page, name) => {
          // the page's own form, token and all, copied onto a page of the other origin
          const form = formPostingTo(page, '/setName') ?? formsOf(page)[0];
          const copy = {
            ...form,
            method: 'post',
            action: `${ctx.url}/setName`,
            entries: form?.entries ?? [],
          };
          return victim.submit(`${foreignOrigin(ctx.url)}/`, copy, { name });
        },
      ),
  },
  {
    title: 'the server’s own forms work: sign in, log out',
    needsSessionCookie: true,
    hint: 'Put the token in every form you serve, the logout form included, and accept requests from your own origin.',
    exerciseHint:
      "Put the hidden _csrf field in every form you send, the Forget me form included, so your own pages' POSTs still pass.",
    async run(ctx) {
      const browser = ctx.visitor('a browser (cookie jar)', 'jar');
      const name = ctx.name('Ada');
      const { posted: hops } = await signIn(ctx.url, browser, name);
      const greeted = greets(hops.at(-1), name);
      const page = hops.at(-1);
      const logout = formPostingTo(page, '/logout');
      const out = page && logout ? await browser.submit(page.url, logout) : [];
      const after = out.at(-1);
      return {
        label: 'the page’s own forms',
        outcome: !greeted
          ? 'signing in failed'
          : !logout
            ? 'no logout form on the page'
            : greets(after, name)
              ? 'logging out failed'
              : 'signed in, then out',
        expected: 'signed in, then out',
        evidence: `after signing in, GET / answered ${hops.at(-1)?.keyLine}; POST /logout answered ${out[0]?.status ?? 'nothing'}`,
      };
    },
  },
];
