import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromiumRecord, recordChromiumCookies } from '../src/cli/watch-browser.js';
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
import { withStage } from './helpers.js';

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
  /** navigate: a top-level navigation; fetch: from a page on `from`; post: a form from `from`. */
  how: 'navigate' | 'fetch' | 'post';
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
  // a self-signed certificate for the https cases, made here with the openssl command
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=a.test',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  const lines = Object.fromEntries([
    ...storageCases.map((k) => [k.id, k.lines] as const),
    ...Object.entries(extraLines),
  ]);
  fixture = await startCookieServer(lines, {
    key: readFileSync(join(certDir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(certDir, 'cert.pem'), 'utf8'),
  });
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
  if (step.how === 'fetch') {
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
    it(`${rule.id}: ${Object.entries(rule.expect)
      .map(([n, r]) => `${n} ${r.join('+') || 'sent'}`)
      .join(', ')}`, async () => {
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

/**
 * Every cookie Chromium refused to store or to send during the visit, each one explained by the
 * model with the same reasons for the same request; resolves with how many there were.
 */
function expectEveryDropExplained(
  cookies: Awaited<ReturnType<typeof recordChromiumCookies>>,
  urls: string[],
): number {
  let drops = 0;
  for (const url of new Set(urls)) {
    const seen = exchanges.filter((e) => e.url === url);
    for (const record of cookies.forUrl(url)) {
      for (const blocked of record.blocked) {
        drops++;
        const model = seen.flatMap((e) => e.setCookies).find((v) => v.line === blocked.cookieLine);
        expect(model?.rejected, `${url}: ${blocked.cookieLine}`).toEqual(
          blocked.blockedReasons.map(sameRuleAs),
        );
      }
      for (const held of record.associated.filter((a) => a.blockedReasons.length > 0)) {
        drops++;
        const reasons = seen
          .flatMap((e) => e.sending)
          .filter((v) => v.cookie.name === held.cookie.name && !v.sent)
          .map((v) => v.withheld);
        expect(reasons, `${url}: ${held.cookie.name} withheld`).toContainEqual(
          held.blockedReasons.map(sameRuleAs),
        );
      }
    }
  }
  return drops;
}

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

describe("watch in front of the tutor's own stages explains every cookie Chromium drops", () => {
  async function throughWatch(
    number: number,
    visit: (page: Page, proxyUrl: string) => Promise<void>,
  ) {
    return withStage(number, async (stage) => {
      const { page, cdp, stop } = await freshStart();
      await proxy.stop();
      proxy = await startWatchProxy({ target: stage.probeUrl });
      proxy.onExchange((exchange) => exchanges.push(exchange));
      try {
        const cookies = await recordChromiumCookies(cdp);
        await visit(page, proxy.url.replace(/\/$/, ''));
        // the last answers' ExtraInfo events come in after the page has loaded
        for (const url of new Set(exchanges.map((e) => e.url))) await chromiumRecord(cookies, url);
        return expectEveryDropExplained(
          cookies,
          exchanges.map((e) => e.url),
        );
      } finally {
        await stop();
      }
    });
  }

  it('stage 5: a visit, a name, a visit back', async () => {
    await throughWatch(5, async (page, url) => {
      await page.goto(`${url}/`);
      await tellName(page, page, 'Ada');
      await page.goto(`${url}/`);
    });
    expect(exchanges.some((e) => e.setCookies.some((v) => v.name === 'connect.sid'))).toBe(true);
  });

  it("stage 6's /embedded: the app framed by another site", async () => {
    const drops = await throughWatch(6, async (page, url) => {
      const port = new URL(url).port;
      // /embedded frames the stage at its own port; here the same page frames it through watch
      await page.goto(`${url}/embedded`);
      const framedUrl = `http://localhost:${port}/`;
      const navigated = page.waitForEvent('framenavigated', {
        predicate: (f) => f.url() === framedUrl,
      });
      await page.evaluate((framed) => {
        for (const frame of document.querySelectorAll('iframe')) {
          frame.src = frame.src.replace(/:\d+\//, `:${framed}/`);
        }
      }, port);
      const frame = await navigated;
      await frame.waitForLoadState();
      await tellName(page, frame, 'Ada');
    });
    // the framed copy's connect.sid is refused: SameSite unspecified, in a frame from another site
    expect(drops).toBeGreaterThan(0);
  });

  it("stage 11 with lesson 12's attack page: the forged form is accepted, and watch says so", async () => {
    await throughWatch(11, signInThenAttack);
    const forged = exchanges.filter((e) => e.method === 'POST').at(-1);
    expect(forged?.fetch.site).toBe('same-site');
    expect(forged?.advice.map((a) => a.kind)).toContain('cross-origin-post-accepted');
  });

  it("stage 12's attack page: a form from another port", async () => {
    await throughWatch(12, signInThenAttack);
    // the forged logout, from the same site (127.0.0.1, another port), carried the session cookie
    // through watch, and stage 12 refused it
    const forged = exchanges.find(
      (e) => e.method === 'POST' && e.url.endsWith('/logout') && e.status === 403,
    );
    expect(forged?.cookieHeader).toContain('connect.sid=');
    expect(forged?.fetch.site).toBe('same-site');
  });
});
