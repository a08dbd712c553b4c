import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { BrowserContext, CDPSession } from 'playwright-core';
import { UserError } from '../errors.js';
import { isLoopbackHost } from '../probe/cookie-rules.js';
import type { Exchange } from '../server/exchange.js';
import type { BrowserReport } from './render-watch.js';

/** Where Debian, Ubuntu, Fedora, Arch and macOS put Chromium or Chrome. */
const browserPaths = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** What Chromium said about one request: the cookies it refused to store, and those it sent or held back. */
export interface ChromiumRecord {
  url: string;
  blocked: Protocol.Network.BlockedSetCookieWithReason[];
  associated: Protocol.Network.AssociatedCookie[];
  /** DevTools issues about cookies (Audits.issueAdded) raised for this request. */
  issues: Protocol.Audits.CookieIssueDetails[];
  /** Whether each ExtraInfo event has arrived (an empty list is an answer too). */
  requestInfo: boolean;
  responseInfo: boolean;
}

/**
 * Listens to Chromium's DevTools protocol for what it did with cookies:
 * Network.responseReceivedExtraInfo.blockedCookies (Set-Cookie lines refused),
 * Network.requestWillBeSentExtraInfo.associatedCookies (cookies sent or held back) and
 * Audits.issueAdded (its cookie issues). ExtraInfo events can arrive before or after the
 * request's own event, so records are keyed by requestId and read when asked for.
 */
export async function recordChromiumCookies(cdp: CDPSession) {
  // a redirect reuses its requestId for the next hop, and each hop's events may arrive in any
  // order: the n-th event of each kind for a requestId belongs to its n-th hop
  const hops = new Map<string, ChromiumRecord[]>();
  const hop = (id: string, kind: 'url' | 'requestInfo' | 'responseInfo') => {
    const list = hops.get(id) ?? [];
    hops.set(id, list);
    const at =
      kind === 'url' ? list.findIndex((r) => r.url === '') : list.findIndex((r) => !r[kind]);
    if (at !== -1) return list[at];
    const found: ChromiumRecord = {
      url: '',
      blocked: [],
      associated: [],
      issues: [],
      requestInfo: false,
      responseInfo: false,
    };
    list.push(found);
    return found;
  };
  cdp.on('Network.requestWillBeSent', (e: Protocol.Network.RequestWillBeSentEvent) => {
    hop(e.requestId, 'url').url = e.request.url;
  });
  cdp.on(
    'Network.requestWillBeSentExtraInfo',
    (e: Protocol.Network.RequestWillBeSentExtraInfoEvent) => {
      const found = hop(e.requestId, 'requestInfo');
      found.associated = e.associatedCookies;
      found.requestInfo = true;
    },
  );
  cdp.on(
    'Network.responseReceivedExtraInfo',
    (e: Protocol.Network.ResponseReceivedExtraInfoEvent) => {
      const found = hop(e.requestId, 'responseInfo');
      found.blocked = e.blockedCookies;
      found.responseInfo = true;
    },
  );
  cdp.on('Audits.issueAdded', (e: Protocol.Audits.IssueAddedEvent) => {
    const cookie = e.issue.details.cookieIssueDetails;
    const id = cookie?.request?.requestId;
    if (cookie && id) hops.get(id)?.at(-1)?.issues.push(cookie);
  });
  await cdp.send('Network.enable');
  await cdp.send('Audits.enable');
  return {
    /** Every record for `url`, oldest first. */
    forUrl(url: string): ChromiumRecord[] {
      return [...hops.values()].flat().filter((r) => r.url === url);
    },
  };
}

/** Chromium's verdicts in the shape the timeline shows beside the model's. */
export function browserReport(record: ChromiumRecord, exchange: Exchange): BrowserReport {
  const storage: Record<string, string[]> = {};
  for (const verdict of exchange.setCookies) {
    const blocked = record.blocked.find((b) => b.cookieLine === verdict.line);
    storage[verdict.line] = blocked ? blocked.blockedReasons : [];
  }
  const sending: Record<string, string[]> = {};
  for (const a of record.associated) sending[a.cookie.name] = a.blockedReasons;
  return { storage, sending };
}

/**
 * The addresses Chromium sends to the proxy instead of the app, as --host-resolver-rules: the
 * app's own host and port, and for an app on loopback every loopback name on its port. Chromium
 * keeps the app's address in its address bar, its Host header, its sites and its cookies; only the
 * connection goes to the proxy (net/base/host_mapping_rules.cc matches a rule against "host:port"
 * and replaces both). So a page that frames or posts to the app under another of its names
 * (stage 6's /embedded, lesson 12's attack page) is seen too. An https app cannot be reached this
 * way (the proxy speaks http to the browser): Chromium then opens the proxy's own address.
 */
export function routeThroughProxy(target: string, proxyPort: number): string | undefined {
  const app = new URL(target);
  if (app.protocol !== 'http:') return undefined;
  const port = app.port || '80';
  const hosts = isLoopbackHost(app.hostname) ? ['localhost', '127.0.0.1', '[::1]'] : [app.hostname];
  return hosts.map((host) => `MAP ${host}:${port} 127.0.0.1:${proxyPort}`).join(', ');
}

/**
 * `watch --browser`: Chromium (or Chrome) found on this machine, launched through playwright-core
 * with every address of the app routed through the proxy (routeThroughProxy), and its DevTools
 * protocol recorded. Never downloads a browser.
 */
export async function watchInChromium(proxy: { url: string; port: number }, target: string) {
  const chosen = process.env.CHROME_PATH;
  if (chosen && !existsSync(chosen)) {
    throw new UserError(
      `CHROME_PATH names ${chosen}, which does not exist: point it at Chromium or Chrome, or unset it.`,
    );
  }
  const executablePath = chosen || browserPaths.find((path) => existsSync(path));
  if (!executablePath) {
    throw new UserError(
      'watch --browser needs Chromium or Chrome installed (such as `apt install chromium`, or Chrome from google.com/chrome); set CHROME_PATH if it lives elsewhere.',
    );
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new UserError(
      'watch --browser needs playwright-core, which is not installed with session-tutor: run `npm install playwright-core` in the folder where session-tutor is installed.',
    );
  }
  const rules = routeThroughProxy(target, proxy.port);
  const start = rules ? new URL(target).href : proxy.url;
  // a profile of its own, like a fresh ordinary window: an incognito context (Playwright's
  // newContext) blocks third-party cookies, which would hide every frame's cookies behind a setting
  const profile = mkdtempSync(join(tmpdir(), 'session-tutor-watch-'));
  mkdirSync(join(profile, 'Default'));
  // cookie_controls_mode 0: "allow third-party cookies" (chrome://settings/cookies), Chrome's
  // default for an ordinary window
  writeFileSync(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  let context: BrowserContext;
  try {
    context = await playwright.chromium.launchPersistentContext(profile, {
      executablePath,
      // the tutor's own shutdown closes Chromium, so that it can clean up after itself (Playwright
      // would kill it at once on Ctrl-C, leaving its temporary files behind)
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      // a window to use where there is a screen; headless where there is none (a server, CI)
      headless:
        process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY,
      args: [
        '--no-first-run',
        // Chromium's sandbox refuses to start as root (a container, CI)
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        // frames from other sites stay in the page's process, so their cookies are recorded too
        '--disable-site-isolation-trials',
        ...(rules ? [`--host-resolver-rules=${rules}`] : []),
      ],
    });
  } catch (err) {
    removeProfile();
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const cookies = await recordChromiumCookies(await context.newCDPSession(page));
  const claimed = new Set<ChromiumRecord>();
  await page.goto(start).catch(() => undefined);
  return {
    version: context.browser()?.version() ?? '',
    /** The address Chromium opened: the app's own, routed through the proxy, when it can be. */
    url: start,
    /** The tab Chromium opened, for the learner (or a test) to use. */
    page,
    /** Chromium's report on the request behind `exchange`, once its ExtraInfo events are in. */
    async reportFor(exchange: Exchange): Promise<BrowserReport | undefined> {
      // the proxy reports an exchange before the browser has read the answer: wait for Chromium
      for (let waited = 0; waited < 2000; waited += 50) {
        const record = cookies.forUrl(exchange.url).find((r) => !claimed.has(r));
        if (record?.requestInfo && record.responseInfo) {
          claimed.add(record);
          return browserReport(record, exchange);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return undefined;
    },
    async close() {
      await context.close();
      removeProfile();
    },
  };
}
