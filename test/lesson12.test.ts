import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findLesson } from '../src/course/catalog.js';
import { storedSessions } from '../src/course/stored.js';
import {
  attribute,
  type Fetched,
  filledIn,
  formPostingTo,
  formsOf,
  pageOf,
} from '../src/probe/html.js';
import { browserHeaders } from '../src/probe/navigation.js';
import { greets } from '../src/probe/verdict.js';
import { Visitor } from '../src/probe/visitor.js';
import { startAttackPage } from '../src/server/attack-page.js';
import { StageHost } from '../src/server/host.js';
import { somebodyListensOn } from './hardening/leftovers.js';
import { Terminal } from './hardening/terminal.js';
import { cliPath, freshHome, runCli, withStage, withVisitors } from './helpers.js';

/** The hidden fields of every form of a page, such as the CSRF token, by name. */
const hiddenFields = (page: Fetched | undefined): Record<string, string> =>
  Object.fromEntries(
    (page ? pageOf(page).elements('input') : [])
      .filter((input) => attribute(input, 'type') === 'hidden')
      .map((input) => [attribute(input, 'name'), attribute(input, 'value') ?? '']),
  );

/** Signs a visitor in on the stage with its own form, as a browser on the stage's page would. */
async function signIn(base: string, visitor: Visitor, name: string) {
  const hops = await visitor.post(
    `${base}/setName`,
    { name },
    {
      headers: browserHeaders(base, base),
    },
  );
  expect(greets(hops.at(-1), name)).toBe(true);
  return hops.at(-1);
}

async function refusesConnections(port: number): Promise<boolean> {
  const probe = new Visitor('probe', 'goldfish');
  try {
    await probe.get(`http://127.0.0.1:${port}/`);
    return false;
  } catch {
    return true;
  } finally {
    await probe.close();
  }
}

describe('stage 12 refuses forged forms', () => {
  it('refuses a POST without the session’s token, even from no browser at all, and keeps the name', async () => {
    await withStage(12, (stage) =>
      withVisitors(['jar'], async (ada) => {
        await signIn(stage.probeUrl, ada, 'Ada');
        for (const [path, form] of [
          ['/setName', { name: 'Mallory' }],
          ['/setName', { name: 'Mallory', _csrf: 'a-guess' }],
          ['/logout', {}],
        ] as const) {
          const [hop] = await ada.post(`${stage.probeUrl}${path}`, form);
          expect(hop.status, path).toBe(403);
          expect(hop.body).toContain('This form lacks your session’s token.');
        }
        expect(greets((await ada.get(`${stage.probeUrl}/`)).at(-1), 'Ada')).toBe(true);
      }),
    );
  });

  it('refuses a POST from another origin, even with the right token, and a forged sign-in', async () => {
    await withStage(12, (stage) =>
      withVisitors(['jar', 'jar'], async (ada, stranger) => {
        const page = await signIn(stage.probeUrl, ada, 'Ada');
        const token = hiddenFields(page);
        expect(Object.keys(token)).toEqual(['_csrf']);
        const sameSite = `http://127.0.0.1:${stage.port + 1}`;
        for (const headers of [
          browserHeaders(sameSite, stage.probeUrl),
          { origin: sameSite }, // a browser without Sec-Fetch-Site
          { 'sec-fetch-site': 'cross-site' },
          { origin: 'null' },
        ]) {
          const [hop] = await ada.post(
            `${stage.probeUrl}/setName`,
            { ...token, name: 'Mallory' },
            { headers },
          );
          expect(hop.status, JSON.stringify(headers)).toBe(403);
          // the page names what it refused
          const { origin = '(none)', 'sec-fetch-site': site = '(none)' } = headers as Record<
            string,
            string | undefined
          >;
          expect(hop.body).toContain(
            `This form came from another origin: Origin ${origin}, Sec-Fetch-Site ${site}.`,
          );
        }
        // no session yet, so no token: only the origin check stops a forged sign-in
        const [signInForged] = await stranger.post(
          `${stage.probeUrl}/setName`,
          { name: 'Mallory' },
          { headers: browserHeaders(sameSite, stage.probeUrl) },
        );
        expect(signInForged.status).toBe(403);
        expect(signInForged.setCookie).toEqual([]);
        expect((await storedSessions(stage.store)).map((s) => s.data.myName)).toEqual(['Ada']);
      }),
    );
  });

  it('accepts its own forms: same origin, a typed address (Sec-Fetch-Site: none), or no header', async () => {
    await withStage(12, (stage) =>
      withVisitors(['jar', 'jar', 'jar'], async (...visitors) => {
        const headers = [
          browserHeaders(stage.probeUrl, stage.probeUrl),
          { 'sec-fetch-site': 'none' },
          {},
        ];
        for (const [i, visitor] of visitors.entries()) {
          const page = await signIn(stage.probeUrl, visitor, `Ada ${i}`);
          const logout = formPostingTo(page, '/logout');
          if (!logout) throw new Error('no logout form on the signed-in page');
          const out = await visitor.post(logout.action, filledIn(logout, {}), {
            headers: headers[i],
          });
          expect(out[0].status).toBe(302);
          expect(greets(out.at(-1), `Ada ${i}`)).toBe(false);
        }
        expect(await storedSessions(stage.store)).toEqual([]);
      }),
    );
  });

  it('gives each session its own token, and a session from an earlier stage one on its first page', async () => {
    await withStage(12, (stage) =>
      withVisitors(['jar', 'jar'], async (ada, grace) => {
        const [a, b] = [
          await signIn(stage.probeUrl, ada, 'Ada'),
          await signIn(stage.probeUrl, grace, 'Grace'),
        ];
        expect(hiddenFields(a)._csrf).toMatch(/^[\w-]{43}$/);
        expect(hiddenFields(a)._csrf).not.toBe(hiddenFields(b)._csrf);
        // Grace's token does not work for Ada
        const [hop] = await ada.post(`${stage.probeUrl}/logout`, hiddenFields(b));
        expect(hop.status).toBe(403);
      }),
    );
    // one store across stages, as in the tutor: a session made on stage 11 has no token yet
    await withStage(11, (eleven) =>
      withVisitors(['jar'], async (ada) => {
        await ada.post(`${eleven.probeUrl}/setName`, { name: 'Ada' });
        const cookie = await ada.jar.getCookieString(eleven.probeUrl);
        await withStage(
          12,
          async (twelve) => {
            const [refused] = await ada.post(`${twelve.probeUrl}/logout`, {}, { cookie });
            expect(refused.status).toBe(403);
            const [page] = await ada.get(`${twelve.probeUrl}/`, { cookie });
            const out = await ada.post(`${twelve.probeUrl}/logout`, hiddenFields(page), { cookie });
            expect(out[0].status).toBe(302);
          },
          { store: eleven.store },
        );
      }),
    );
  });
});

describe('the "Forget me" of stages 11 and 12 needs a session', () => {
  it('logs a signed-in visitor out, and refuses a visitor without a session, clearing no cookie', async () => {
    await withStage(11, (stage) =>
      withVisitors(['jar', 'jar'], async (ada, stranger) => {
        await signIn(stage.probeUrl, ada, 'Ada');
        const [refused] = await stranger.post(`${stage.probeUrl}/logout`, {});
        expect(refused.status).toBe(403);
        expect(refused.body).toContain('Nobody is signed in here.');
        expect(refused.setCookie).toEqual([]);
        expect((await storedSessions(stage.store)).map((s) => s.data.myName)).toEqual(['Ada']);
        const out = await ada.post(`${stage.probeUrl}/logout`, {});
        expect(out[0].status).toBe(302);
        expect(greets(out.at(-1), 'Ada')).toBe(false);
      }),
    );
  });
});

describe('the attack page', () => {
  it('submits a form to the stage as it loads: a logout at /, a sign-in at /signin', async () => {
    const page = await startAttackPage('http://localhost:3000', '127.0.0.1', 0);
    try {
      await withVisitors(['goldfish'], async (visitor) => {
        const [logout] = await visitor.get(`${page.probeUrl}/`);
        expect(formsOf(logout)).toMatchObject([
          { method: 'post', action: 'http://localhost:3000/logout', entries: [] },
        ]);
        const [signIn] = await visitor.get(`${page.probeUrl}/signin`);
        expect(formsOf(signIn)[0]).toMatchObject({
          action: 'http://localhost:3000/setName',
          entries: [['name', 'Mallory']],
        });
        expect(logout.body).toContain('<script>document.forms[0].submit()</script>');
        const [other] = await visitor.get(`${page.probeUrl}/logout`);
        expect(other.status).toBe(404);
      });
    } finally {
      await page.stop();
    }
  });

  it('takes a free port and names it when the port it asks for is busy', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const busy = (holder.address() as { port: number }).port;
    try {
      const page = await startAttackPage('http://localhost:3000', '127.0.0.1', busy);
      try {
        expect(page.port).not.toBe(busy);
        expect(page.note).toBe(`port ${busy} is busy, so the attack page is at ${page.url}/`);
      } finally {
        await page.stop();
      }
    } finally {
      holder.close();
      await once(holder, 'close');
    }
  });

  it('runs beside stage 12 in the tutor, named in the note, and stops with it', async () => {
    const host = new StageHost({
      port: 0,
      portAskedFor: false,
      host: '127.0.0.1',
      secret: 'a test secret',
    });
    try {
      const { stage, note } = await host.switchTo(findLesson(12));
      const port = Number(note?.match(/attack page is at http:\/\/localhost:(\d+)\//)?.[1]);
      expect(port).toBeGreaterThan(0);
      await withVisitors(['goldfish'], async (visitor) => {
        const [hop] = await visitor.get(`http://127.0.0.1:${port}/`);
        expect(formsOf(hop)[0].action).toBe(`${stage.url}/logout`);
      });
      const back = await host.switchTo(findLesson(11));
      expect(back.note).toBeUndefined();
      expect(await refusesConnections(port)).toBe(true);
    } finally {
      await host.stop();
    }
  });
});

describe('lesson 12 on the command line', () => {
  it('runs its demo, says what is simulated, and leaves no attack page behind', async () => {
    const run = await runCli(['lesson', '12', '--yes', '--port', '0']);
    expect(run.code).toBe(0);
    // the header wraps at words to the terminal: read it as one line
    const flat = run.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/the attack page is at http:\/\/localhost:\d+\//);
    // narration wraps at the page's width
    const text = run.stdout.replace(/\s+/g, ' ');
    // the stage signed in to (not the one at the top) and the hosts as the demo reaches them
    expect(text).toMatch(
      /Simulated browser, as in Chromium: Ada signs in to stage 11, http:\/\/127\.0\.0\.1:\d+\. Its attack page, http:\/\/127\.0\.0\.1:(\d+), is the same site; from http:\/\/localhost:\1, another site on this computer, her Lax cookie stays home\./,
    );
    // from another site, the browser withholds the Lax cookie: refused
    expect(text).toContain(
      '✔ stage 11: the attack page’s logout, from another site: refused (403), Ada POST 403 (Nobody is signed in here.)',
    );
    // the attack that works on stage 11 is marked as one on its own line
    expect(text).toContain(
      '⚠ stage 11: the attack page’s logout, from the same site: accepted, logged out (the attack works)',
    );
    expect(text).toContain(
      '✔ stage 12: the attack page’s logout, from the same site: refused (403), Ada POST 403 (This form came from another origin: Origin http://127.0.0.1:',
    );
    expect(text).toContain('Sec-Fetch-Site same-site.)');
    expect(run.stdout).toContain('✔ 12 Same site is not same origin: 4/4');
    const port = Number(flat.match(/the attack page is at http:\/\/localhost:(\d+)\//)?.[1]);
    expect(await refusesConnections(port)).toBe(true);
  });
});

describe('the attack page on the way out of the tutor, in a real terminal', () => {
  it.each([
    ['q', ['q'], 0],
    ['Ctrl-C', ['C-c'], 130],
  ] as const)(
    '%s on lesson 12’s first page stops the stage and the attack page',
    async (_what, keys, code) => {
      const terminal = new Terminal(`${process.execPath} ${cliPath} lesson 12 --port 0`, {
        SESSION_TUTOR_HOME: freshHome(),
      });
      try {
        const screen = await terminal.waitFor(/page 1\/\d+ +\[Enter\]/);
        const stagePort = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);
        const attackPort = Number(
          screen.match(/attack page is at http:\/\/localhost:(\d+)\//)?.[1],
        );
        expect(somebodyListensOn(stagePort)).toBe(true);
        expect(somebodyListensOn(attackPort)).toBe(true);
        terminal.keys(...keys);
        expect((await terminal.ended()).code).toBe(code);
        expect(somebodyListensOn(stagePort)).toBe(false);
        expect(somebodyListensOn(attackPort)).toBe(false);
      } finally {
        terminal.close();
      }
    },
  );
});
