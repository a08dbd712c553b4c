import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { storedSessions } from '../src/course/stored.js';
import { browserHeaders } from '../src/probe/navigation.js';
import { startAttackPage } from '../src/server/attack-page.js';
import type { RunningStage } from '../src/server/start.js';
import { chromiumForThisFile, submitted, tellName } from './browser.js';
import { withStage } from './helpers.js';

const browser = chromiumForThisFile();

interface Attack {
  /** The heading of the page the browser landed on after the attack page's form. */
  landed: string | null;
  /** The heading of the stage's page when Ada opens it again afterwards. */
  after: string | null;
  /** The forged POST as the browser sent it: its Cookie, Origin and Sec-Fetch-Site. */
  sent: { cookie?: string; origin?: string; 'sec-fetch-site'?: string };
  status: number;
}

/**
 * Ada signs in on the stage (at localhost), then opens the attack page at `attackHost`: localhost
 * is the same site as the stage, 127.0.0.1 another site. The page submits its form as it loads.
 */
async function attack(
  stage: RunningStage,
  attackHost: 'localhost' | '127.0.0.1',
  path: '/' | '/signin' = '/',
): Promise<Attack> {
  const page = await startAttackPage(stage.url); // port 3001, or a free one when it is taken
  const context = await (await browser()).newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(stage.url);
    await tellName(tab, tab, 'Ada');
    expect(await h1(tab)).toBe('Ada');
    const forged = tab.waitForRequest((r) => r.method() === 'POST');
    const answered = tab.waitForResponse((r) => r.request().method() === 'POST');
    const landed = tab.waitForURL((url) => url.port === String(stage.port));
    await tab.goto(`http://${attackHost}:${page.port}${path}`);
    const [request, response] = await Promise.all([forged, answered, landed]);
    await tab.waitForLoadState();
    const result = {
      landed: await h1(tab),
      sent: await sentHeaders(request),
      status: response.status(),
    };
    await tab.goto(stage.url);
    return { ...result, after: await h1(tab) };
  } finally {
    await context.close();
    await page.stop();
  }
}

const h1 = (page: Page) => page.locator('h1').textContent();

async function sentHeaders(request: Request) {
  const all = await request.allHeaders();
  return { cookie: all.cookie, origin: all.origin, 'sec-fetch-site': all['sec-fetch-site'] };
}

describe('the attack page from the same site (another port of localhost) in Chromium', () => {
  it('logs Ada out on stage 11: the browser sent her Lax cookie with the forged form', async () => {
    await withStage(11, async (stage) => {
      const seen = await attack(stage, 'localhost');
      expect(seen.sent.cookie).toMatch(/^connect\.sid=s%3A/);
      expect(seen).toMatchObject({ status: 302, after: 'Hello, stranger' });
    });
  });

  it('is refused on stage 12, and Ada stays signed in', async () => {
    await withStage(12, async (stage) => {
      const seen = await attack(stage, 'localhost');
      expect(seen.sent.cookie).toMatch(/^connect\.sid=s%3A/);
      expect(seen).toMatchObject({ status: 403, landed: '403', after: 'Ada' });
    });
  });

  it('sends what the terminal demo simulates: the cookie, Origin and Sec-Fetch-Site: same-site', async () => {
    await withStage(12, async (stage) => {
      const seen = await attack(stage, 'localhost');
      const { origin } = new URL(seen.sent.origin ?? 'http://missing');
      expect(seen.sent).toMatchObject(browserHeaders(origin, stage.url));
      expect(seen.sent['sec-fetch-site']).toBe('same-site');
    });
  });
});

describe('the attack page from another site (127.0.0.1 against localhost) in Chromium', () => {
  it('on stage 11, the browser withholds Ada’s Lax cookie, so the logout finds no session and she stays signed in', async () => {
    await withStage(11, async (stage) => {
      const seen = await attack(stage, '127.0.0.1');
      expect(seen.sent).toMatchObject({ cookie: undefined, 'sec-fetch-site': 'cross-site' });
      expect(seen).toMatchObject({ status: 403, landed: '403', after: 'Ada' });
      expect((await storedSessions(stage.store)).map((s) => s.data.myName)).toEqual(['Ada']);
    });
  });

  it('is what the terminal demo simulates: no cookie, Origin and Sec-Fetch-Site: cross-site', async () => {
    await withStage(11, async (stage) => {
      const seen = await attack(stage, '127.0.0.1');
      const { origin } = new URL(seen.sent.origin ?? 'http://missing');
      expect(seen.sent).toMatchObject(browserHeaders(origin, stage.url));
    });
  });

  it('on stage 11, Lax does not stop a forged sign-in: the cookie-less form signs the browser in as Mallory', async () => {
    await withStage(11, async (stage) => {
      const seen = await attack(stage, '127.0.0.1', '/signin');
      expect(seen.sent).toMatchObject({ cookie: undefined, 'sec-fetch-site': 'cross-site' });
      // Ada's own session was never reached: the store still holds her name
      const names = (await storedSessions(stage.store)).map((s) => s.data.myName);
      expect(names.sort()).toEqual(['Ada', 'Mallory']);
      // but a top-level navigation may set any cookie: the new session's replaced hers
      expect(seen).toMatchObject({ status: 302, after: 'Mallory' });
    });
  });

  it('on stage 12, refuses the forged sign-in before anything changes', async () => {
    await withStage(12, async (stage) => {
      const seen = await attack(stage, '127.0.0.1', '/signin');
      expect(seen.sent).toMatchObject({ cookie: undefined, 'sec-fetch-site': 'cross-site' });
      expect(seen).toMatchObject({ status: 403, after: 'Ada' });
      expect((await storedSessions(stage.store)).map((s) => s.data.myName)).toEqual(['Ada']);
    });
  });
});

describe("stage 12's own forms in Chromium", () => {
  it('sign in, reload, then "Forget me": the token goes with the form', async () => {
    await withStage(12, async (stage) => {
      const context = await (await browser()).newContext();
      try {
        const tab = await context.newPage();
        await tab.goto(stage.url);
        const signIn = await tellName(tab, tab, 'Ada');
        expect(signIn.status()).toBe(302);
        await tab.reload();
        expect(await h1(tab)).toBe('Ada');
        const out = await submitted(tab, tab, () =>
          tab.getByRole('button', { name: 'Forget me' }).click(),
        );
        expect(out.request().postData()).toMatch(/^_csrf=[\w-]{43}$/);
        expect(out.status()).toBe(302);
        expect(await h1(tab)).toBe('Hello, stranger');
      } finally {
        await context.close();
      }
    });
  });
});

describe('cookie prefixes in Chromium, on the loopback hosts loopback.ts counts as secure', () => {
  it('keeps __Secure- only with Secure, and __Host- only with Secure, Path=/ and no Domain, loopback counting as secure', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('set-cookie', [
        '__Host-ok=1; Secure; Path=/',
        '__Host-noSecure=1; Path=/',
        '__Host-domain=1; Secure; Path=/; Domain=localhost',
        '__Host-noPath=1; Secure',
        '__Secure-ok=1; Secure',
        '__Secure-noSecure=1',
      ]);
      res.end('<h1>prefixes</h1>');
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      for (const host of ['localhost', '127.0.0.1']) {
        const context = await (await browser()).newContext();
        try {
          await (await context.newPage()).goto(`http://${host}:${port}/`);
          const kept = (await context.cookies()).map((c) => c.name).sort();
          expect(kept, host).toEqual(['__Host-ok', '__Secure-ok']);
        } finally {
          await context.close();
        }
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("stage 12's locks and lesson 6's framed copy, in Chromium", () => {
  it('let the partitioned copy inside another site’s frame sign in and out: its forms are its own origin', async () => {
    await withStage(12, async (stage) => {
      const context = await (await browser()).newContext();
      try {
        const tab = await context.newPage();
        await tab.goto(`${stage.url}/embedded`);
        const framedUrl = `http://127.0.0.1:${stage.port}/partitioned/`;
        const frame = tab.frame({ url: framedUrl });
        if (!frame) throw new Error(`/embedded has no frame showing ${framedUrl}`);
        const signIn = await tellName(tab, frame, 'Ada');
        expect(await signIn.request().headerValue('sec-fetch-site')).toBe('same-origin');
        expect(await frame.locator('h1').textContent()).toBe('Ada');
        const out = await submitted(tab, frame, () =>
          frame.getByRole('button', { name: 'Forget me' }).click(),
        );
        expect(out.request().postData()).toMatch(/^_csrf=[\w-]{43}$/);
        expect(out.status()).toBe(302);
        expect(await frame.locator('h1').textContent()).toBe('Hello, stranger');
      } finally {
        await context.close();
      }
    });
  });
});

describe('"Forget me" drops the cookie of the session that answered, in Chromium', () => {
  it.each([8, 12])(
    'stage %i: partitioned.sid in the framed copy, connect.sid in a tab',
    async (n) => {
      await withStage(n, async (stage) => {
        const context = await (await browser()).newContext();
        const kept = async () => (await context.cookies()).map((c) => c.name);
        const forget = (tab: Page, where: Page | Frame) =>
          submitted(tab, where, () => where.getByRole('button', { name: 'Forget me' }).click());
        try {
          const tab = await context.newPage();
          await tab.goto(`${stage.url}/embedded`);
          const frame = tab.frame({ url: `http://127.0.0.1:${stage.port}/partitioned/` });
          if (!frame) throw new Error('/embedded has no partitioned frame');
          await tellName(tab, frame, 'Ada');
          expect(await kept()).toEqual(['partitioned.sid']);
          await forget(tab, frame);
          expect(await kept()).toEqual([]);
          await tab.goto(stage.url);
          await tellName(tab, tab, 'Ada');
          expect(await kept()).toEqual(['connect.sid']);
          await forget(tab, tab);
          expect(await kept()).toEqual([]);
        } finally {
          await context.close();
        }
      });
    },
  );
});
