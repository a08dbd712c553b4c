import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChromiumRecord,
  recordChromiumCookies,
  watchInChromium,
} from '../src/cli/watch-browser.js';
import {
  CookieModel,
  type LineVerdict,
  type SendingVerdict,
  sameRuleAs,
  type UnnamedReason,
} from '../src/probe/cookie-rules.js';
import { startAttackPage } from '../src/server/attack-page.js';
import type { Exchange } from '../src/server/exchange.js';
import { startWatchProxy, type WatchProxy } from '../src/server/watch-proxy.js';
import { chromiumArgs, chromiumPath, requireChromium, tellName } from './browser.js';
import { type CookieServer, startCookieServer } from './fixtures/cookie-server.js';
import { selfSignedCertificate, withStage } from './helpers.js';

// The differential test: for every rule, a fixture route sends the Set-Cookie lines, real
// Chromium (Debian's) visits it through `watch`'s proxy, and the model's verdict and reasons must
// equal the reasons Chromium reports over the DevTools protocol. What Chromium stored is read with
// Storage.getCookies; what it sent, from the Cookie header the fixture received.
// Site names: *.localhost is loopback to Chromium by itself (and a secure context without TLS);
// *.test and *.github.io are mapped to 127.0.0.1 with --host-resolver-rules.

// One persistent (not incognito) context for the file, emptied before each case: Chromium blocks
// third-party cookies in incognito contexts by default ("UserPreferences", a browser setting the
// model leaves to the browser), which is what Playwright's browser.newContext() makes.
let persistent: BrowserContext | undefined;
let profileDir: string;

async function chromiumContext(): Promise<BrowserContext> {
  if (persistent) return persistent;
  requireChromium();
  profileDir = mkdtempSync(join(tmpdir(), 'watch-profile-'));
  // Chromium 156 blocks third-party cookies unless the profile allows them (cookie_controls_mode
  // 0 is "allow third-party cookies" in chrome://settings/cookies); the model leaves that setting
  // to the browser and reports its effect as outside the model
  mkdirSync(join(profileDir, 'Default'));
  writeFileSync(
    join(profileDir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
  persistent = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    timeout: 20_000,
    args: [
      ...chromiumArgs,
      '--host-resolver-rules=MAP *.test 127.0.0.1, MAP *.github.io 127.0.0.1',
      // the https fixture's certificate is self-signed, made below
      '--ignore-certificate-errors',
      // frames from other sites stay in the page's process, so one DevTools session sees them
      // (as watch --browser launches it)
      '--disable-site-isolation-trials',
    ],
  });
  return persistent;
}

interface Step {
  /** Scheme and host as the browser sees them, such as http://a.localhost. */
  at: string;
  path: string;
  /**
   * navigate: a top-level navigation; fetch: from a page on `from`; post: a form from `from`;
   * frame: an iframe in a page on `from`.
   */
  how: 'navigate' | 'fetch' | 'post' | 'frame';
  from?: string;
  /** Straight to the fixture, not through the proxy: https, or lines Node refuses to pass on. */
  direct?: boolean;
}

interface StorageCase {
  id: string;
  lines: string[];
  step: Omit<Step, 'path'> & { path?: string };
  before?: Step;
  /** The reasons the case is about, so that each proves its own rule (the model must agree). */
  expect: string[];
}

const c = (
  id: string,
  lines: string[],
  at: string,
  expect: string[],
  more: Partial<StorageCase['step']> & { before?: Step } = {},
): StorageCase => {
  const { before, ...step } = more;
  return { id, lines, step: { at, how: 'navigate', ...step }, before, expect };
};

const A = 'http://a.localhost';
// two sites for cross-site requests (a.localhost and b.localhost would not do: Chromium reports
// their requests as cross-site only when schemes count, SchemefulSameSite*)
const X = 'http://a.test';
const L = 'http://localhost';
const IP = 'http://127.0.0.1';
const Y = 'http://b.test';

// Each case: RFC 6265bis section and Chromium's rule are cited in src/probe/cookie-rules.ts.
const storageCases: StorageCase[] = [
  c('plain', ['sid=1; Path=/; HttpOnly; SameSite=Lax'], A, []),
  c('secure-over-http', ['sid=1; Path=/; Secure'], 'http://a.test', ['SecureOnly']),
  c('secure-on-localhost', ['sid=1; Path=/; Secure'], A, []),
  c('none-without-secure', ['sid=1; Path=/; SameSite=None'], A, ['SameSiteNoneInsecure']),
  c('none-secure-over-http', ['sid=1; Path=/; SameSite=None; Secure'], 'http://a.test', [
    'SecureOnly',
  ]),
  c('cross-site-strict', ['sid=1; Path=/; SameSite=Strict'], Y, ['SameSiteStrict'], {
    how: 'fetch',
    from: X,
  }),
  c('cross-site-lax', ['sid=1; Path=/; SameSite=Lax'], Y, ['SameSiteLax'], {
    how: 'fetch',
    from: X,
  }),
  c('cross-site-unspecified', ['sid=1; Path=/'], Y, ['SameSiteUnspecifiedTreatedAsLax'], {
    how: 'fetch',
    from: X,
  }),
  c('cross-site-none-secure', ['sid=1; Path=/; SameSite=None; Secure'], 'https://b.test', [], {
    how: 'fetch',
    from: 'https://a.test',
    direct: true,
  }),
  c(
    'cross-site-lax-over-http',
    ['sid=1; Path=/; SameSite=Lax; Secure'],
    'http://b.test',
    ['SecureOnly', 'SameSiteLax'],
    {
      how: 'fetch',
      from: 'http://a.test',
    },
  ),
  c(
    'cross-site-lax-https',
    ['sid=1; Path=/; SameSite=Lax; Secure'],
    'https://b.test',
    ['SameSiteLax'],
    {
      how: 'fetch',
      from: 'https://a.test',
      direct: true,
    },
  ),
  c(
    'cross-site-lax-localhost',
    ['sid=1; Path=/; SameSite=Lax'],
    'http://b.localhost',
    ['SameSiteLax'],
    {
      how: 'fetch',
      from: 'http://a.localhost',
    },
  ),
  c('top-level-strict', ['sid=1; Path=/; SameSite=Strict'], Y, [], { how: 'post', from: X }),
  c('domain-other-site', ['sid=1; Path=/; Domain=b.localhost'], A, ['InvalidDomain']),
  c('domain-localhost-from-ip', ['sid=1; Path=/; Domain=localhost'], 'http://127.0.0.1', [
    'InvalidDomain',
  ]),
  c('domain-public-suffix', ['sid=1; Path=/; Domain=github.io'], 'http://a.github.io', [
    'InvalidDomain',
  ]),
  c('domain-parent', ['sid=1; Path=/; Domain=a.test'], 'http://www.a.test', []),
  // Chromium reads Domain=<the host's IP address> as no Domain: host-only, and fit for __Host-
  c('domain-own-ip', ['sid=1; Path=/; Domain=127.0.0.1'], 'http://127.0.0.1', []),
  c(
    'host-prefix-own-ip',
    ['__Host-sid=1; Path=/; Secure; Domain=127.0.0.1'],
    'http://127.0.0.1',
    [],
  ),
  c('domain-leading-dot', ['sid=1; Path=/; Domain=.a.test'], 'http://a.test', []),
  c('secure-prefix-without-secure', ['__Secure-sid=1; Path=/'], A, ['InvalidPrefix']),
  c('secure-prefix-over-http', ['__Secure-sid=1; Path=/; Secure'], 'http://a.test', [
    'InvalidPrefix',
  ]),
  c('host-prefix-with-domain', ['__Host-sid=1; Path=/; Secure; Domain=a.localhost'], A, [
    'InvalidPrefix',
  ]),
  c('host-prefix-with-path', ['__Host-sid=1; Path=/app; Secure'], A, ['InvalidPrefix']),
  c('host-prefix', ['__Host-sid=1; Path=/; Secure'], A, []),
  c('prefix-upper-case', ['__SECURE-sid=1; Path=/'], A, ['InvalidPrefix']),
  c('hidden-prefix', ['=__Secure-sid=1; Path=/'], A, ['InvalidPrefix']),
  c('partitioned-without-secure', ['sid=1; Path=/; Partitioned'], A, ['InvalidPartitioned']),
  // CHIPS: localhost and 127.0.0.1 are two sites (as in stage 6's /embedded), both secure contexts
  c('partitioned-in-frame', ['sid=1; Path=/; SameSite=None; Secure; Partitioned'], IP, [], {
    how: 'frame',
    from: L,
  }),
  c('partitioned-top-level', ['sid=1; Path=/; SameSite=None; Secure; Partitioned'], IP, []),
  c('none-in-frame', ['sid=1; Path=/; SameSite=None; Secure'], IP, [], { how: 'frame', from: L }),
  c('unspecified-in-frame', ['sid=1; Path=/'], IP, ['SameSiteUnspecifiedTreatedAsLax'], {
    how: 'frame',
    from: L,
  }),
  c('too-large', [`big=${'x'.repeat(4100)}; Path=/`], A, ['NameValuePairExceedsMaxSize']),
  c('no-content', ['=; Path=/'], A, ['NoCookieContent']),
  c('max-age-capped', ['sid=1; Path=/; Max-Age=50000000'], A, []),
  c('default-path', ['sid=1'], A, [], { path: '/set/default-path/deeper/page' }),
  c('path-not-absolute', ['sid=1; Path=app'], A, [], { path: '/set/path-not-absolute/page' }),
  c('samesite-unknown-value', ['sid=1; Path=/; SameSite=Sometimes'], A, []),
  c('deletes', ['sid=; Path=/; Max-Age=0'], A, [], {
    before: { at: A, path: '/set/plain', how: 'navigate' },
  }),
  c('control-character', ['sid=a\x01b; Path=/'], 'http://a.test', ['DisallowedCharacter'], {
    direct: true,
  }),
  c('delete-character', ['sid=a\x7fb; Path=/'], 'http://a.test', ['DisallowedCharacter'], {
    direct: true,
  }),
  c('overwrite-secure', ['sid=2; Path=/'], 'http://a.test', ['OverwriteSecure'], {
    direct: true,
    before: { at: 'https://a.test', path: '/set/secure-over-http', how: 'navigate', direct: true },
  }),
];

interface SendingCase {
  id: string;
  /** Steps that store cookies first. */
  setup: Step[];
  /** The request whose Cookie header is judged. */
  request: Step;
  expect: Record<string, string[]>;
  /** Partitioned cookies of the site kept under another top-level site: never part of the request. */
  elsewhere?: string[];
}

const sendingCases: SendingCase[] = [
  {
    id: 'not-on-path',
    setup: [{ at: A, path: '/set/app-path', how: 'navigate' }],
    request: { at: A, path: '/elsewhere', how: 'navigate' },
    expect: { app: ['NotOnPath'] },
  },
  {
    id: 'host-only-to-subdomain',
    setup: [{ at: 'http://a.test', path: '/set/plain', how: 'navigate' }],
    request: { at: 'http://www.a.test', path: '/', how: 'navigate' },
    expect: { sid: ['DomainMismatch'] },
  },
  {
    id: 'strict-on-cross-site-navigation',
    setup: [{ at: Y, path: '/set/cross-site-strict', how: 'navigate' }],
    request: { at: Y, path: '/', how: 'post', from: X },
    expect: { sid: ['SameSiteStrict'] },
  },
  {
    id: 'lax-on-cross-site-fetch',
    setup: [{ at: Y, path: '/set/cross-site-lax', how: 'navigate' }],
    request: { at: Y, path: '/', how: 'fetch', from: X },
    expect: { sid: ['SameSiteLax'] },
  },
  {
    id: 'unspecified-on-cross-site-fetch',
    setup: [{ at: Y, path: '/set/cross-site-unspecified', how: 'navigate' }],
    request: { at: Y, path: '/', how: 'fetch', from: X },
    expect: { sid: ['SameSiteUnspecifiedTreatedAsLax'] },
  },
  {
    // a cookie without SameSite, two minutes old at most, rides a cross-site top-level POST
    // (Chromium's "Lax-allowing-unsafe", kLaxAllowUnsafeMaxAge)
    id: 'fresh-unspecified-on-cross-site-post',
    setup: [{ at: Y, path: '/set/cross-site-unspecified', how: 'navigate' }],
    request: { at: Y, path: '/', how: 'post', from: X },
    expect: { sid: [] },
  },
  {
    id: 'none-secure-on-cross-site-fetch',
    setup: [
      { at: 'https://b.test', path: '/set/cross-site-none-secure', how: 'navigate', direct: true },
    ],
    request: {
      at: 'https://b.test',
      path: '/',
      how: 'fetch',
      from: 'https://a.test',
      direct: true,
    },
    expect: { sid: [] },
  },
  {
    id: 'strict-same-site',
    setup: [{ at: Y, path: '/set/cross-site-strict', how: 'navigate' }],
    request: { at: Y, path: '/', how: 'fetch', from: Y },
    expect: { sid: [] },
  },
  {
    // CHIPS: the frame's partitioned cookie comes back to the same frame under the same top site
    id: 'partitioned-in-its-partition',
    setup: [{ at: IP, path: '/set/partitioned-in-frame', how: 'frame', from: L }],
    request: { at: IP, path: '/', how: 'frame', from: L },
    expect: { sid: [] },
  },
  {
    // ...but not to the same host at the top: another partition, which Chromium does not even list
    id: 'partitioned-outside-its-partition',
    setup: [{ at: IP, path: '/set/partitioned-in-frame', how: 'frame', from: L }],
    request: { at: IP, path: '/', how: 'navigate' },
    expect: {},
    elsewhere: ['sid'],
  },
  {
    // one set at the top, under its own site, is not sent into that host's frame on another site
    id: 'partitioned-top-level-into-frame',
    setup: [{ at: IP, path: '/set/partitioned-top-level', how: 'navigate' }],
    request: { at: IP, path: '/', how: 'frame', from: L },
    expect: {},
    elsewhere: ['sid'],
  },
  {
    id: 'secure-over-http',
    setup: [{ at: 'https://a.test', path: '/set/secure-over-http', how: 'navigate', direct: true }],
    request: { at: 'http://a.test', path: '/', how: 'navigate', direct: true },
    expect: { sid: ['SecureOnly'] },
  },
];

const extraLines: Record<string, string[]> = {
  'app-path': ['app=1; Path=/app'],
};

let fixture: CookieServer;
let proxy: WatchProxy;
let exchanges: Exchange[] = [];
let certDir: string;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'watch-cert-'));
  const certificate = selfSignedCertificate(certDir, 'a.test');
  const lines = Object.fromEntries([
    ...storageCases.map((k) => [k.id, k.lines] as const),
    ...Object.entries(extraLines),
  ]);
  fixture = await startCookieServer(lines, certificate);
  const context = await chromiumContext();
  process.stdout.write(`Chromium ${context.browser()?.version() ?? ''} (${chromiumPath})\n`);
});

afterAll(async () => {
  await persistent?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await fixture?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

function urlOf(step: Step): string {
  const https = step.at.startsWith('https:');
  const port = step.direct ? (https ? fixture.httpsPort : fixture.port) : proxy.port;
  return `${step.at}:${port}${step.path}`;
}

/** Makes the request of `step` in Chromium the way a page would, and waits for its answer. */
async function visit(page: Page, step: Step): Promise<string> {
  const url = urlOf(step);
  if (step.how === 'navigate') {
    await page.goto(url);
    return url;
  }
  await page.goto(urlOf({ ...step, at: step.from ?? step.at, path: '/blank' }));
  if (step.how === 'frame') {
    const loaded = page.waitForResponse(url);
    await page.evaluate((to) => {
      const frame = document.createElement('iframe');
      frame.src = to;
      document.body.append(frame);
    }, url);
    await loaded;
  } else if (step.how === 'fetch') {
    await page.evaluate(
      (to) => fetch(to, { mode: 'no-cors', credentials: 'include' }).then(() => undefined),
      url,
    );
  } else {
    await Promise.all([
      page.waitForURL(url),
      page.evaluate((to) => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = to;
        document.body.append(form);
        form.submit();
      }, url),
    ]);
  }
  return url;
}

/** Chromium's record for `url`, once both of its ExtraInfo events have come in. */
async function chromiumRecord(
  cookies: Awaited<ReturnType<typeof recordChromiumCookies>>,
  url: string,
): Promise<ChromiumRecord> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const record = cookies.forUrl(url).at(-1);
    if (record?.requestInfo && record.responseInfo) return record;
    if (Date.now() > deadline) throw new Error(`Chromium reported nothing for ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The model's verdicts for a request that went straight to the fixture, replayed from what it received. */
function directModel(
  model: CookieModel,
  from: number,
  target: string,
): { lines: LineVerdict[]; sending: SendingVerdict[] } {
  let last = { lines: [] as LineVerdict[], sending: [] as SendingVerdict[] };
  for (const got of fixture.received.slice(from)) {
    const url = new URL(got.path, `${got.https ? 'https' : 'http'}://${got.host}`);
    // Chromium also asks for /favicon.ico: only the pages the test visits feed the model
    if (url.pathname === '/favicon.ico') continue;
    const seen = model.request(url, got.method, got.headers);
    const id = url.pathname.match(/^\/set\/([^/]+)/)?.[1];
    const lines = id ? (storageCases.find((k) => k.id === id)?.lines ?? extraLines[id] ?? []) : [];
    last = { lines: lines.map((line) => model.receive(line, seen.context)), sending: seen.sending };
    if (url.href === target) return last;
  }
  throw new Error(`the fixture received no request for ${target}`);
}

/** The model's verdicts for the request to `url`: the proxy's exchange, or a replay for a direct one. */
function modelFor(step: Step, url: string, model: CookieModel, from: number) {
  if (step.direct) return directModel(model, from, url);
  const exchange = exchanges.filter((e) => e.url === url).at(-1);
  if (!exchange) throw new Error(`the proxy saw no request for ${url}`);
  return { lines: exchange.setCookies, sending: exchange.sending };
}

/** A clean start for one case: an empty jar, a new page, and a new proxy (an empty model). */
async function freshStart(): Promise<{ page: Page; cdp: CDPSession; stop(): Promise<void> }> {
  const context = await chromiumContext();
  await context.clearCookies();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  proxy = await startWatchProxy({ target: `http://127.0.0.1:${fixture.port}` });
  exchanges = [];
  proxy.onExchange((exchange) => exchanges.push(exchange));
  return {
    page,
    cdp,
    async stop() {
      await page.close();
      await proxy.stop();
    },
  };
}

/** Every cookie Chromium holds for the page's browser context (Storage.getCookies). */
async function storedCookies(cdp: CDPSession) {
  return (await cdp.send('Storage.getCookies', {})).cookies;
}

// CDP names no reason for these: the line is dropped, and blockedCookies lists it with no
// reason or not at all. Chromium's EXCLUDE_INVALID_PARTITIONED has no DevTools protocol value.
const unnamed: UnnamedReason[] = ['InvalidPartitioned'];

describe('watch agrees with Chromium on every Set-Cookie rule', () => {
  for (const rule of storageCases) {
    it(`${rule.id}: ${rule.expect.join(' + ') || 'stored'}`, async () => {
      const { page, cdp, stop } = await freshStart();
      try {
        const cookies = await recordChromiumCookies(cdp);
        const model = new CookieModel();
        const from = fixture.received.length;
        if (rule.before) await visit(page, rule.before);
        const step = { ...rule.step, path: rule.step.path ?? `/set/${rule.id}` };
        const url = await visit(page, step);
        const record = await chromiumRecord(cookies, url);
        const verdicts = modelFor(step, url, model, from).lines;
        expect(verdicts).toHaveLength(rule.lines.length);
        const stored = await storedCookies(cdp);
        for (const verdict of verdicts) {
          const reasons = [...verdict.rejected].sort();
          expect(reasons).toEqual([...rule.expect].sort());
          const chromium = record.blocked.find((b) => b.cookieLine === verdict.line);
          const named = reasons.filter((r) => !unnamed.includes(r as UnnamedReason));
          if (named.length > 0) {
            expect((chromium?.blockedReasons ?? []).map(sameRuleAs).sort()).toEqual(named);
          } else if (reasons.length > 0) {
            // not stored, and no reason given
            expect(chromium?.blockedReasons ?? []).toEqual([]);
          } else {
            expect(chromium).toBeUndefined();
          }
          const kept = stored.find(
            (s) =>
              s.name === (verdict.name ?? '') && verdict.cookie && s.path === verdict.cookie.path,
          );
          if (verdict.verdict === 'rejected' || verdict.changes.includes('Deletes')) {
            expect(
              stored.some(
                (s) =>
                  s.name === verdict.name &&
                  s.value === verdict.cookie?.value &&
                  !verdict.changes.includes('Deletes'),
              ),
            ).toBe(false);
            if (verdict.changes.includes('Deletes'))
              expect(stored.some((s) => s.name === verdict.name)).toBe(false);
          } else {
            expect(
              kept,
              `Chromium stored ${verdict.name} at ${verdict.cookie?.path}`,
            ).toBeDefined();
            expect(kept?.domain.replace(/^\./, '')).toBe(verdict.cookie?.domain);
            expect(kept?.domain.startsWith('.')).toBe(!verdict.cookie?.hostOnly);
            expect(kept?.partitionKey).toEqual(verdict.cookie?.partitionKey);
            if (verdict.changes.includes('MaxAgeCapped')) {
              const days = ((kept?.expires ?? 0) * 1000 - Date.now()) / 86_400_000;
              expect(Math.round(days)).toBe(400);
            }
          }
        }
      } finally {
        await stop();
      }
    });
  }
});

describe('watch agrees with Chromium on which cookies a request carries', () => {
  for (const rule of sendingCases) {
    it(`${rule.id}: ${
      Object.entries(rule.expect)
        .map(([n, r]) => `${n} ${r.join('+') || 'sent'}`)
        .join(', ') || 'no cookie listed'
    }`, async () => {
      const { page, cdp, stop } = await freshStart();
      try {
        const cookies = await recordChromiumCookies(cdp);
        const model = new CookieModel();
        const from = fixture.received.length;
        for (const step of rule.setup) await visit(page, step);
        const url = await visit(page, rule.request);
        const record = await chromiumRecord(cookies, url);
        const { sending } = modelFor(rule.request, url, model, from);
        const modelSays = Object.fromEntries(
          sending.map((v) => [v.cookie.name, [...v.withheld].sort()]),
        );
        expect(modelSays).toEqual(rule.expect);
        const chromiumSays = Object.fromEntries(
          record.associated
            .filter((a) => a.cookie.name in rule.expect)
            .map((a) => [a.cookie.name, a.blockedReasons.map(sameRuleAs).sort()]),
        );
        expect(chromiumSays).toEqual(modelSays);
        if (!rule.request.direct) {
          const exchange = exchanges.filter((e) => e.url === url).at(-1);
          expect(exchange?.otherPartitions.map((c) => c.name)).toEqual(rule.elsewhere ?? []);
        }
        // what was sent, by the header the fixture received
        const got = fixture.received.filter((r) => r.path === new URL(url).pathname).at(-1);
        const sentNames = (got?.headers.cookie ?? '')
          .split(';')
          .map((p) => p.split('=')[0].trim())
          .filter(Boolean);
        expect(sentNames.sort()).toEqual(
          sending
            .filter((v) => v.sent)
            .map((v) => v.cookie.name)
            .sort(),
        );
      } finally {
        await stop();
      }
    });
  }
});

describe('a browser setting outside the model', () => {
  it('is reported, never hidden: a third-party cookie Chromium blocks by preference', async () => {
    const { page, cdp, stop } = await freshStart();
    try {
      // the setting Chromium 156 applies by default in incognito windows
      await cdp.send('Network.setCookieControls', { enableThirdPartyCookieRestriction: true });
      const cookies = await recordChromiumCookies(cdp);
      const set = {
        at: 'http://b.localhost',
        path: '/set/cross-site-none-secure',
        how: 'fetch' as const,
        from: A,
      };
      const url = await visit(page, set);
      const record = await chromiumRecord(cookies, url);
      // Chromium refused it for the user's preference; the model, which knows no settings, kept it
      expect(record.blocked.map((b) => b.blockedReasons)).toEqual([['UserPreferences']]);
      const stored = exchanges.filter((e) => e.url === url).at(-1);
      expect(stored?.setCookies.map((v) => v.verdict)).toEqual(['stored']);
      // so the next request lacks a cookie the model expected: watch says so
      await visit(page, { ...set, path: '/again' });
      const again = exchanges.filter((e) => e.url.endsWith('/again')).at(-1);
      expect(again?.outsideModel).toEqual([{ name: 'sid', sent: false }]);
    } finally {
      await cdp.send('Network.setCookieControls', { enableThirdPartyCookieRestriction: false });
      await stop();
    }
  });
});

/** Signs in as Ada, then opens lesson 12's attack page, which posts a form back to the app. */
async function signInThenAttack(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await tellName(page, page, 'Ada');
  // 127.0.0.1 on another port: the same site, another origin
  const attack = await startAttackPage(url, '127.0.0.1', 0);
  try {
    await Promise.all([page.waitForURL(`${url}/**`), page.goto(`${attack.probeUrl}/`)]);
  } finally {
    await attack.stop();
  }
}

type WatchBrowser = Awaited<ReturnType<typeof watchInChromium>>;

/**
 * For every exchange watch saw, Chromium's own report (as `watch --browser` shows it beside the
 * verdicts) names the same reasons as the model, for every Set-Cookie line and every cookie of the
 * site; resolves with how many cookies Chromium refused or held back.
 */
async function expectChromiumAgrees(browser: WatchBrowser, seen: Exchange[]): Promise<number> {
  let drops = 0;
  for (const exchange of seen) {
    const report = await browser.reportFor(exchange);
    if (!report) {
      // Chromium fetches the icon itself, outside the page's DevTools session
      expect(new URL(exchange.url).pathname, `Chromium reported nothing for ${exchange.url}`).toBe(
        '/favicon.ico',
      );
      continue;
    }
    for (const verdict of exchange.setCookies) {
      const chromium = report.storage[verdict.line].map(sameRuleAs);
      const named = verdict.rejected.filter((r) => !unnamed.includes(r as UnnamedReason));
      expect(chromium, `${exchange.url}: ${verdict.line}`).toEqual(named);
      if (verdict.rejected.length > 0) drops++;
    }
    const chromiumSending = Object.fromEntries(
      Object.entries(report.sending).map(([name, reasons]) => [name, reasons.map(sameRuleAs)]),
    );
    const modelSending = Object.fromEntries(
      exchange.sending.map((v) => [v.cookie.name, v.withheld]),
    );
    expect(chromiumSending, `${exchange.method} ${exchange.url}: cookies sent`).toEqual(
      modelSending,
    );
    drops += Object.values(chromiumSending).filter((reasons) => reasons.length > 0).length;
  }
  return drops;
}

describe("watch --browser in front of the tutor's own stages explains every cookie Chromium drops", () => {
  /**
   * Stage `number` behind watch, and Chromium launched as `watch --browser` launches it: every
   * address of the stage's port (localhost, 127.0.0.1, [::1]) goes through the proxy, so frames
   * and forms that name the stage directly are seen too. `visit` gets the tab and the stage's port.
   */
  async function throughWatch(number: number, visit: (page: Page, port: string) => Promise<void>) {
    requireChromium();
    return withStage(number, async (stage) => {
      const proxy = await startWatchProxy({ target: stage.probeUrl });
      const seen: Exchange[] = [];
      proxy.onExchange((exchange) => seen.push(exchange));
      try {
        const browser = await watchInChromium(proxy, stage.probeUrl);
        try {
          await visit(browser.page, new URL(stage.probeUrl).port);
          const drops = await expectChromiumAgrees(browser, seen);
          return { seen, drops };
        } finally {
          await browser.close();
        }
      } finally {
        await proxy.stop();
      }
    });
  }

  it('stage 5: a visit, a name, a visit back', async () => {
    const { seen } = await throughWatch(5, async (page, port) => {
      await page.goto(`http://localhost:${port}/`);
      await tellName(page, page, 'Ada');
      await page.goto(`http://localhost:${port}/`);
    });
    expect(seen.some((e) => e.setCookies.some((v) => v.name === 'connect.sid'))).toBe(true);
  });

  it("stage 6's /embedded: both frames, as the page names them", async () => {
    const { seen, drops } = await throughWatch(6, async (page, port) => {
      // /embedded on localhost frames the stage at 127.0.0.1, another site, on the stage's port
      await page.goto(`http://localhost:${port}/embedded`);
      for (const url of [`http://127.0.0.1:${port}/`, `http://127.0.0.1:${port}/partitioned/`]) {
        const frame = page.frames().find((f) => f.url() === url);
        if (!frame) throw new Error(`/embedded has no frame at ${url}`);
        await tellName(page, frame, 'Ada');
      }
      // the frames ask again, with whatever cookies Chromium kept for them
      await page.reload();
    });
    const framed = seen.filter((e) => e.url.startsWith('http://127.0.0.1:'));
    // the frames went through watch
    expect(framed.filter((e) => e.method === 'POST')).toHaveLength(2);
    // today's cookie is refused in the frame: no SameSite, so Lax, from another site
    const refused = framed.flatMap((e) => e.setCookies).find((v) => v.name === 'connect.sid');
    expect(refused?.rejected).toEqual(['SameSiteUnspecifiedTreatedAsLax']);
    // the partitioned one is kept under localhost's partition, and comes back to its frame
    const kept = framed.flatMap((e) => e.setCookies).find((v) => v.name === 'partitioned.sid');
    expect(kept?.cookie?.partitionKey).toEqual({
      topLevelSite: 'http://localhost',
      hasCrossSiteAncestor: true,
    });
    const again = framed.filter((e) => e.url.endsWith('/partitioned/')).at(-1);
    expect(again?.cookieHeader).toContain('partitioned.sid=');
    expect(again?.sending.find((v) => v.cookie.name === 'partitioned.sid')?.sent).toBe(true);
    expect(drops).toBeGreaterThan(0);
  });

  it("stage 11 with lesson 12's attack page: the forged form is accepted, and watch says so", async () => {
    const { seen } = await throughWatch(11, (page, port) =>
      signInThenAttack(page, `http://127.0.0.1:${port}`),
    );
    const forged = seen.filter((e) => e.method === 'POST').at(-1);
    expect(forged?.fetch.site).toBe('same-site');
    expect(forged?.advice.map((a) => a.kind)).toContain('cross-origin-post-accepted');
  });

  it("stage 12's attack page: a form from another port, straight to the stage's address", async () => {
    const { seen } = await throughWatch(12, (page, port) =>
      signInThenAttack(page, `http://127.0.0.1:${port}`),
    );
    // the forged logout, from the same site (127.0.0.1, another port), carried the session cookie
    // through watch, and stage 12 refused it
    const forged = seen.find(
      (e) => e.method === 'POST' && e.url.endsWith('/logout') && e.status === 403,
    );
    expect(forged?.cookieHeader).toContain('connect.sid=');
    expect(forged?.fetch.site).toBe('same-site');
  });
});
