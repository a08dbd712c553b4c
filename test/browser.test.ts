import session from 'express-session';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { rawGreetingApp } from '../src/server/contrasts.js';
import { listenApp } from '../src/server/start.js';
import { chromiumForThisFile, serverSees, submitted, tellName } from './browser.js';
import { withStage } from './helpers.js';

const browser = chromiumForThisFile();

/** A new browser profile (its own cookie jar, like a private window) that is always closed. */
async function withContext<T>(
  body: (context: BrowserContext, page: Page) => Promise<T>,
  options: BrowserContextOptions = {},
) {
  const context = await (await browser()).newContext({
    viewport: { width: 900, height: 760 },
    ...options,
  });
  try {
    return await body(context, await context.newPage());
  } finally {
    await context.close();
  }
}

// Why Chromium refuses a cookie in a cross-site frame: its third-party cookie setting (on by
// default here), and, where that allows them, the SameSite=Lax it assumes for a cookie without one.
const crossSiteReasons = [
  'UserPreferences',
  'ThirdPartyPhaseout',
  'SameSiteUnspecifiedTreatedAsLax',
  'SchemefulSameSiteUnspecifiedTreatedAsLax',
];

const h1 = (page: Page) => page.locator('h1').textContent();

describe('stage 5 in a real browser', () => {
  it('greets by name after submitting, still after a reload, and not in a fresh profile', async () => {
    await withStage(5, async (stage) => {
      await withContext(async (_context, page) => {
        await page.goto(stage.url);
        expect(await h1(page)).toBe('Hello, stranger');
        // no autofocus: a screen reader would jump past the heading to the field (MDN, "autofocus",
        // Accessibility concerns), and Chromium refuses it in a cross-site frame with a console error;
        // the field is the first stop of Tab, and fills in the browser's saved name (autocomplete="name")
        const field = page.getByLabel('What is your name?');
        expect(await field.getAttribute('autocomplete')).toBe('name');
        await page.keyboard.press('Tab');
        expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
        await submitted(page, page, async () => {
          await page.keyboard.type('Ada Lovelace');
          await page.keyboard.press('Enter');
        });
        expect(await h1(page)).toBe('Ada Lovelace');
        // `npm run screenshot` keeps this moment as the README's picture, light and dark
        const picture = process.env.SESSION_TUTOR_SCREENSHOT;
        if (picture) {
          await page.setViewportSize({ width: 760, height: 200 });
          for (const [colorScheme, path] of [
            ['light', `${picture}.png`],
            ['dark', `${picture}-dark.png`],
          ] as const) {
            await page.emulateMedia({ colorScheme });
            await page.screenshot({ path, fullPage: true });
          }
          await page.emulateMedia({ colorScheme: null });
        }

        await page.reload();
        expect(await h1(page)).toBe('Ada Lovelace');

        await withContext(async (_fresh, stranger) => {
          await stranger.goto(stage.url);
          expect(await h1(stranger)).toBe('Hello, stranger');
        });
      });
    });
  });

  it('works with JavaScript turned off, and asks nothing of any other server', async () => {
    await withStage(5, async (stage) => {
      await withContext(
        async (_context, page) => {
          const origins = new Set<string>();
          page.on('request', (r) => origins.add(new URL(r.url()).origin));
          await page.goto(stage.url);
          await tellName(page, page, 'Ada');
          expect(await h1(page)).toBe('Ada');
          await page.goto(`${stage.url}/nowhere`);
          expect([...origins]).toEqual([new URL(stage.url).origin]);
          // the one link is the empty icon, which spares the browser a request for /favicon.ico
          expect(await page.locator('link').evaluateAll((l) => l.map((e) => e.outerHTML))).toEqual([
            '<link rel="icon" href="data:,">',
          ]);
          expect(await page.locator('script, img, iframe').count()).toBe(0);
        },
        { javaScriptEnabled: false },
      );
    });
  });

  it('keeps the session cookie HttpOnly, out of reach of document.cookie', async () => {
    await withStage(5, async (stage) => {
      await withContext(async (context, page) => {
        await page.goto(stage.url);
        await tellName(page, page, 'Ada');
        const cookies = await context.cookies(stage.url);
        expect(cookies.map((c) => [c.name, c.httpOnly])).toEqual([['connect.sid', true]]);
        expect(await page.evaluate(() => document.cookie)).toBe('');
      });
    });
  });
});

describe('stage 6 in a real browser: the preview pane', () => {
  it("forgets inside the cross-site frame with today's cookie, while a top-level tab remembers", async () => {
    await withStage(6, async (stage) => {
      await withContext(async (context, page) => {
        await page.goto(`${stage.url}/embedded`);
        const framedUrl = `http://127.0.0.1:${stage.port}/`;
        expect(new URL(page.url()).hostname).toBe('localhost');
        const frame = page.frame({ url: framedUrl });
        if (!frame) throw new Error(`/embedded has no frame showing ${framedUrl}`);

        // Chromium tells its DevTools why it refused a cookie; the cross-site frame runs in a
        // process of its own, so it gets a DevTools session of its own
        const devtools = await context.newCDPSession(frame);
        await devtools.send('Network.enable');
        const refused = new Promise<string[]>((resolve) => {
          devtools.on('Network.responseReceivedExtraInfo', ({ blockedCookies }) => {
            if (blockedCookies.length > 0) resolve(blockedCookies.flatMap((b) => b.blockedReasons));
          });
        });

        const posted = await tellName(page, frame, 'Ada');
        // the server did send a cookie, but the browser would not keep it, for being cross-site
        expect(await posted.headerValue('set-cookie')).toMatch(
          /^connect\.sid=[^;]+; Path=\/; HttpOnly$/,
        );
        expect(await context.cookies(framedUrl)).toEqual([]);
        for (const reason of await refused) expect(crossSiteReasons).toContain(reason);
        expect(await frame.locator('h1').textContent()).toBe('Hello, stranger');
        expect(await serverSees(frame)).toMatchObject({
          'Cookie header': 'none',
          'Shown in': 'a frame (the browser sent Sec-Fetch-Dest: iframe)',
          'Cookie settings':
            'no SameSite: treated as Lax, so a browser neither keeps nor sends it in a frame from another site',
        });

        // the same address in its own tab is first-party: remembered
        const tab = await context.newPage();
        await tab.goto(framedUrl);
        await tellName(tab, tab, 'Grace');
        await tab.reload();
        expect(await h1(tab)).toBe('Grace');

        // even with that cookie now in the jar, the framed copy is not sent it
        await page.reload();
        const again = page.frame({ url: framedUrl });
        if (!again) throw new Error('the frame is gone after a reload');
        expect(await again.locator('h1').textContent()).toBe('Hello, stranger');
        expect((await serverSees(again))['Cookie header']).toBe('none');
      });
    });
  });

  it('remembers inside the frame with a partitioned cookie, and shares nothing with a tab', async () => {
    await withStage(6, async (stage) => {
      await withContext(async (context, page) => {
        await page.goto(`${stage.url}/embedded`);
        const framedUrl = `http://127.0.0.1:${stage.port}/partitioned/`;
        const frame = page.frame({ url: framedUrl });
        if (!frame) throw new Error(`/embedded has no frame showing ${framedUrl}`);

        const posted = await tellName(page, frame, 'Ada');
        expect(await posted.headerValue('set-cookie')).toMatch(
          /^partitioned\.sid=[^;]+; Path=\/partitioned\/; HttpOnly; Secure; Partitioned; SameSite=None$/,
        );
        expect(await frame.locator('h1').textContent()).toBe('Ada');
        await page.reload();
        const again = page.frame({ url: framedUrl });
        if (!again) throw new Error('the frame is gone after a reload');
        expect(await again.locator('h1').textContent()).toBe('Ada');
        const seen = await serverSees(again);
        expect(seen).toMatchObject({
          'Data stored': '{ myName: "Ada" }',
          Visitor: 'returning: the cookie named a session in the store',
          'Shown in': 'a frame (the browser sent Sec-Fetch-Dest: iframe)',
          'Cookie settings':
            'SameSite=none; Secure; Partitioned: a browser keeps it for this frame, under the site in the address bar',
        });
        expect(seen['Cookie header']).toMatch(/^partitioned\.sid=s%3A/);

        // kept in the partition of the page on top, localhost: the same address in its own tab
        // (top-level site 127.0.0.1) has no cookie, so it is a stranger there
        const tab = await context.newPage();
        await tab.goto(framedUrl);
        expect(await h1(tab)).toBe('Hello, stranger');
        expect((await serverSees(tab))['Cookie header']).toBe('none');
      });
    });
  });

  it('keeps the partitioned cookie the other way round too: a page on 127.0.0.1 framing localhost', async () => {
    await withStage(6, async (stage) => {
      await withContext(async (_context, page) => {
        await page.goto(`http://127.0.0.1:${stage.port}/embedded`);
        const framedUrl = `http://localhost:${stage.port}/partitioned/`;
        const frame = page.frame({ url: framedUrl });
        if (!frame) throw new Error(`/embedded has no frame showing ${framedUrl}`);
        await tellName(page, frame, 'Linus');
        await page.reload();
        expect(await page.frame({ url: framedUrl })?.locator('h1').textContent()).toBe('Linus');
        // and today's cookie is refused this way round as well
        const todays = page.frame({ url: `http://localhost:${stage.port}/` });
        if (!todays) throw new Error('/embedded has no frame with the app at /');
        await tellName(page, todays, 'Grace');
        expect(await todays.locator('h1').textContent()).toBe('Hello, stranger');
      });
    });
  });
});

// every stage that greets the visitor by name, the safety stage included
const greetingStages = listLessons()
  .map((lesson) => lesson.number)
  .filter((number) => number >= 5);

// runs if put into the page as HTML: the broken image's onerror renames the tab
const hostileName = `<img src=x onerror="document.title='ran'">`;

/** Tells the app at `url` the hostile name, in a fresh profile, and reports what the page did. */
function showHostileName(url: string) {
  return withContext(async (_context, page) => {
    const fetched: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/x') fetched.push(r.url());
    });
    await page.goto(url);
    // waits for the load event, which comes after a broken image's error handler has run
    await tellName(page, page, hostileName);
    return {
      heading: await h1(page),
      images: await page.locator('img').count(),
      title: await page.title(),
      fetched,
      stored: (await serverSees(page))['Data stored'],
    };
  });
}

describe.each(greetingStages)('stage %i in a real browser: a name that is HTML', (number) => {
  it('is shown as text and runs nothing', async () => {
    await withStage(number, async (stage) => {
      const seen = await showHostileName(stage.url);
      expect(seen).toMatchObject({
        heading: hostileName,
        images: 0,
        title: `Hello, ${hostileName}`,
        fetched: [],
      });
      expect(seen.stored).toContain(`myName: ${JSON.stringify(hostileName)}`);
    });
  });
});

describe("lesson 11's contrast in a real browser", () => {
  it('the same name put into the HTML raw does run, so the test above would see it', async () => {
    const raw = await listenApp(rawGreetingApp('a test secret', new session.MemoryStore()));
    try {
      const seen = await withContext(async (_context, page) => {
        await page.goto(raw.url);
        await tellName(page, page, hostileName);
        return { images: await page.locator('img').count(), title: await page.title() };
      });
      expect(seen).toEqual({ images: 1, title: 'ran' });
    } finally {
      await raw.stop();
    }
  });
});

describe('the "What the server sees" panel in a real browser', () => {
  it('on stage 4 shows the stored name while the page still asks for it', async () => {
    await withStage(4, async (stage) => {
      await withContext(async (_context, page) => {
        await page.goto(stage.url);
        await tellName(page, page, 'Ada');
        expect(await h1(page)).toBe('Hello, stranger');
        expect(await serverSees(page)).toMatchObject({
          'Data stored': '{ myName: "Ada" }',
          Visitor: 'returning: the cookie named a session in the store',
        });
      });
    });
  });

  it('shows each browser profile its own cookie, session and data', async () => {
    await withStage(5, async (stage) => {
      await withContext((adaContext, ada) =>
        withContext(async (graceContext, grace) => {
          await ada.goto(stage.url);
          expect(await serverSees(ada)).toMatchObject({
            'Cookie header': 'none',
            'Data stored': 'nothing',
            Visitor: 'new: no cookie came with this request',
          });
          await grace.goto(stage.url);
          await tellName(ada, ada, 'Ada');
          await tellName(grace, grace, 'Grace');

          for (const [context, page, myName] of [
            [adaContext, ada, 'Ada'],
            [graceContext, grace, 'Grace'],
          ] as const) {
            await page.reload();
            const [cookie] = await context.cookies(stage.url);
            const sessionId = decodeURIComponent(cookie.value).match(/^s:([^.]+)\./)?.[1] ?? '';
            expect(await serverSees(page)).toEqual({
              'Cookie header': `connect.sid=${cookie.value}`,
              'Session ID': `${sessionId.slice(0, 8)}…`,
              'Data stored': `{ myName: "${myName}" }`,
              Visitor: 'returning: the cookie named a session in the store',
            });
          }
        }),
      );
    });
  });
});

describe('error pages in a real browser', () => {
  it('say what went wrong in one sentence and link back to the form', async () => {
    await withStage(5, async (stage) => {
      await withContext(async (_context, page) => {
        const notFound = await page.goto(`${stage.url}/nowhere`);
        expect(notFound?.status()).toBe(404);
        expect(await page.locator('p').first().textContent()).toBe(
          'This stage has no page for GET /nowhere (yet).',
        );
        await page.getByRole('link', { name: 'Back to the start' }).click();
        expect(await h1(page)).toBe('Hello, stranger');

        // blank after trimming: the browser's `required` check lets it through, the server does not
        const blank = await submitted(page, page, async () => {
          await page.getByLabel('What is your name?').fill('   ');
          await page.keyboard.press('Enter');
        });
        expect(blank.status()).toBe(400);
        expect(await page.getByText('The name is empty').count()).toBe(1);

        // what a learner could send by deleting maxlength in the developer tools
        await page.goto(stage.url);
        const field = page.getByLabel('What is your name?');
        await field.evaluate((el) => el.removeAttribute('maxlength'));
        const tooLarge = await submitted(page, page, async () => {
          await field.fill('x'.repeat(2000));
          await page.keyboard.press('Enter');
        });
        expect(tooLarge.status()).toBe(413);
        expect(await page.getByText('larger than 1 KB').count()).toBe(1);
        expect(await page.getByRole('link', { name: 'Back to the start' }).count()).toBe(1);
      });
    });
  });
});
