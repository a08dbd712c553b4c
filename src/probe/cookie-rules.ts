import { isIP } from 'node:net';
import type { Protocol } from 'devtools-protocol';
import { domainMatch, getPublicSuffix, parseDate, pathMatch } from 'tough-cookie';

/**
 * The browser's cookie rules, once, named by reason: what a browser does with each Set-Cookie
 * line it receives (store it, store it changed, or reject it) and which stored cookies it leaves
 * out of a request's Cookie header.
 *
 * The steps follow RFC 6265bis (draft-ietf-httpbis-rfc6265bis-22: §5.6 "The Set-Cookie Header
 * Field", §5.7 "Storage Model", §5.8 "Retrieval Model") and Chromium, whose names the reasons
 * carry: net/cookies/parsed_cookie.cc (parsing), net/cookies/canonical_cookie.cc (Create and
 * IsSetPermittedInContext, IncludeForRequestURL), net/cookies/cookie_monster.cc (OverwriteSecure)
 * and net/cookies/cookie_inclusion_status.h (the exclusion reasons), mapped to DevTools' names in
 * content/browser/devtools/protocol/network_handler.cc. test/watch-chromium.test.ts holds every
 * rule against a real Chromium. tough-cookie supplies domain and path matching and the public
 * suffix list; it cannot judge by itself (it stores SameSite=None without Secure, treats a missing
 * SameSite as None and ignores Partitioned).
 */

/** DevTools' names for a Set-Cookie line the browser refused (Protocol.Network.SetCookieBlockedReason). */
export type StorageBlockedReason = Protocol.Network.SetCookieBlockedReason;
/** DevTools' names for a stored cookie left out of a request (Protocol.Network.CookieBlockedReason). */
export type SendingBlockedReason = Protocol.Network.CookieBlockedReason;

/**
 * Refusals Chromium makes without giving DevTools a name for them: the line simply vanishes
 * (CookieInclusionStatus has EXCLUDE_INVALID_PARTITIONED, which network_handler.cc maps to no
 * protocol reason).
 */
export type UnnamedReason = 'InvalidPartitioned';

export type RejectReason = StorageBlockedReason | UnnamedReason;

/** How a stored cookie differs from what its line asked for, or what storing it did. */
export type ChangeReason =
  | 'MaxAgeCapped'
  | 'DefaultPath'
  | 'DomainCookie'
  | 'SameSiteDefaultsToLax'
  | 'Deletes';

export interface Explanation {
  /** Where the rule comes from: an RFC 6265bis section (and Chromium where it goes further). */
  step: string;
  /** One plain sentence: what the browser did. */
  sentence: string;
  /** The fix: express-session's cookie option first, Flask and Django settings where they differ. */
  fix: string;
}

const outsideTheModel: Explanation = {
  step: 'browser setting (no RFC 6265bis step)',
  sentence: 'The browser refused it for a reason of its own: a setting, a policy or an extension.',
  fix: "Look at the browser's cookie settings (third-party cookies, site exceptions).",
};

const crossSiteSet = (attribute: string): Explanation => ({
  step: 'RFC 6265bis §5.7 step 18 (SameSite), Chromium IsSetPermittedInContext',
  sentence: `A response to a cross-site request may not set a ${attribute} cookie.`,
  fix:
    'Serve the page and the app from one site, or, if the cookie must work across sites, ' +
    'cookie: { sameSite: \'none\', secure: true } (Flask SESSION_COOKIE_SAMESITE="None", ' +
    'Django SESSION_COOKIE_SAMESITE = "None", both with the Secure setting).',
});

/**
 * Every storage refusal explained. Typed by DevTools' union: a reason Chromium adds fails the
 * type check until it is explained here.
 */
export const rejectExplanations: Record<RejectReason, Explanation> = {
  SecureOnly: {
    step: 'RFC 6265bis §5.7 step 13 (Secure needs a secure origin)',
    sentence:
      'A Secure cookie can only be set over https (or from localhost); this page came over http.',
    fix:
      'Open the app over https, or in development set cookie: { secure: false } (Flask and ' +
      "Django: SESSION_COOKIE_SECURE = False). Behind a TLS-terminating proxy, app.set('trust proxy', 1) " +
      'lets express-session see https.',
  },
  SameSiteStrict: crossSiteSet('SameSite=Strict'),
  SameSiteLax: crossSiteSet('SameSite=Lax'),
  SameSiteUnspecifiedTreatedAsLax: {
    ...crossSiteSet('SameSite=Lax'),
    sentence:
      'The line has no SameSite, so the browser treats it as Lax, and a response to a cross-site request may not set a Lax cookie.',
  },
  SameSiteNoneInsecure: {
    step: 'RFC 6265bis §5.7 step 19 (SameSite=None requires Secure)',
    sentence: 'A SameSite=None cookie must also be Secure; this one is not.',
    fix:
      "cookie: { sameSite: 'none', secure: true } (Flask SESSION_COOKIE_SECURE = True, Django " +
      'SESSION_COOKIE_SECURE = True), or drop SameSite=None if the cookie stays on one site.',
  },
  UserPreferences: outsideTheModel,
  ThirdPartyPhaseout: outsideTheModel,
  SyntaxError: {
    step: 'RFC 6265bis §5.6 (parsing)',
    sentence: 'The browser could not read the line as a cookie.',
    fix: "Let the framework write the header (res.cookie or express-session), not res.setHeader('Set-Cookie', …) by hand.",
  },
  SchemeNotSupported: {
    step: 'Chromium cookieable schemes (no RFC 6265bis step)',
    sentence: 'Cookies are stored only for http and https pages.',
    fix: 'Serve the page over http or https.',
  },
  OverwriteSecure: {
    step: 'RFC 6265bis §5.7 step 16 (an insecure page cannot replace a Secure cookie)',
    sentence:
      'A page over http may not replace a cookie of the same name that was set Secure over https.',
    fix: 'Use https everywhere the cookie is set, or give the http cookie another name.',
  },
  InvalidDomain: {
    step: 'RFC 6265bis §5.7 steps 9-10 (Domain must domain-match the host and not be a public suffix)',
    sentence:
      'Its Domain attribute is neither this host nor a parent of it, or it is a public suffix.',
    fix:
      'Leave Domain out (the cookie stays on this host), or name this host or a parent of it: ' +
      'cookie: { domain } (Flask SESSION_COOKIE_DOMAIN, Django SESSION_COOKIE_DOMAIN). ' +
      'localhost and 127.0.0.1 are different hosts.',
  },
  InvalidPrefix: {
    step: 'RFC 6265bis §5.4 and §5.7 steps 20-22 (__Secure- and __Host- prefixes, in any case)',
    sentence:
      'A __Secure- name needs Secure from a secure page; a __Host- name also needs Path=/ and no Domain; a nameless cookie may not start its value with either.',
    fix: "For __Host-: name: '__Host-sid', cookie: { secure: true, path: '/' } and no domain; or drop the prefix.",
  },
  UnknownError: outsideTheModel,
  // Chromium's names for the same SameSite refusals when it also noted a scheme difference
  // (see sameRuleAs below); the model names the rule without the prefix
  SchemefulSameSiteStrict: crossSiteSet('SameSite=Strict'),
  SchemefulSameSiteLax: crossSiteSet('SameSite=Lax'),
  SchemefulSameSiteUnspecifiedTreatedAsLax: crossSiteSet('SameSite=Lax (no SameSite)'),
  NameValuePairExceedsMaxSize: {
    step: 'RFC 6265bis §5.6 step 5 (name plus value at most 4096 bytes)',
    sentence: 'Its name and value together are longer than 4096 bytes.',
    fix: 'Keep data on the server and put only a session ID in the cookie (express-session does).',
  },
  DisallowedCharacter: {
    step: 'RFC 6265bis §5.6 step 1 (no control characters)',
    sentence: 'The line contains a control character, so the browser ignores all of it.',
    fix: 'Encode the value (encodeURIComponent) before putting it in a cookie.',
  },
  NoCookieContent: {
    step: 'RFC 6265bis §5.7 step 2 (a cookie needs a name or a value)',
    sentence: 'The line has neither a name nor a value.',
    fix: 'Give the cookie a name and a value.',
  },
  InvalidPartitioned: {
    step: 'CHIPS (draft-cutler-httpbis-partitioned-cookies): Partitioned requires Secure',
    sentence:
      'A Partitioned cookie must also be Secure; Chromium drops this one without naming a reason in DevTools.',
    fix: "cookie: { partitioned: true, secure: true, sameSite: 'none' }, or drop Partitioned.",
  },
};

export const changeExplanations: Record<ChangeReason, Explanation> = {
  MaxAgeCapped: {
    step: 'RFC 6265bis §5.5, §5.6.1 and §5.6.2 (expiry capped at 400 days)',
    sentence: 'It asks to live longer than 400 days; the browser keeps it for 400 days.',
    fix: 'Ask for at most 400 days: cookie: { maxAge: 400 * 24 * 3600 * 1000 } or less.',
  },
  DefaultPath: {
    step: 'RFC 6265bis §5.6.4 and §5.1.4 (default-path)',
    sentence:
      'It has no usable Path, so the browser uses the folder of the address that set it; it will not be sent to other folders.',
    fix: "Set Path=/ (express-session's default; res.cookie(name, value, { path: '/' })).",
  },
  DomainCookie: {
    step: 'RFC 6265bis §5.7 step 10 (a Domain attribute makes a domain cookie)',
    sentence: 'Its Domain attribute makes it go to every subdomain too, not only this host.',
    fix: 'Leave Domain out unless subdomains need the cookie.',
  },
  SameSiteDefaultsToLax: {
    step: 'RFC 6265bis §5.7 step 17 and §5.8.3 step 3 (no SameSite is "Default", enforced as Lax)',
    sentence:
      'It has no SameSite, so the browser treats it as Lax: requests from other sites carry it only on top-level GET navigations (and, in its first two minutes, top-level POSTs).',
    fix: "Say what you mean: cookie: { sameSite: 'lax' } (Flask SESSION_COOKIE_SAMESITE = \"Lax\"; Django's default is Lax).",
  },
  Deletes: {
    step: 'RFC 6265bis §5.7 step 23 and eviction (an expiry in the past removes the cookie)',
    sentence: 'It expires at once: it deletes any stored cookie with this name, Domain and Path.',
    fix: 'To log out, send the same Path and Domain the cookie was set with (res.clearCookie(name, { path, domain })).',
  },
};

/** Why a stored cookie stays home on a request from another site. */
const withheldCrossSite = {
  SameSiteStrict: {
    step: 'RFC 6265bis §5.8.3 step 3 (SameSite=Strict)',
    sentence: 'It is SameSite=Strict and this request came from another site.',
    fix: "cookie: { sameSite: 'lax' } lets top-level GET navigations from other sites carry it.",
  },
  SameSiteLax: {
    step: 'RFC 6265bis §5.8.3 step 3 (SameSite=Lax)',
    sentence: 'It is SameSite=Lax and this cross-site request is not a top-level GET navigation.',
    fix: "If it must go across sites: cookie: { sameSite: 'none', secure: true }.",
  },
  SameSiteUnspecifiedTreatedAsLax: {
    step: 'RFC 6265bis §5.8.3 step 3 ("Default" is enforced as Lax)',
    sentence:
      'It has no SameSite, so it is Lax, and this cross-site request is not a top-level GET navigation.',
    fix: "If it must go across sites: cookie: { sameSite: 'none', secure: true }.",
  },
} satisfies Partial<Record<SendingBlockedReason, Explanation>>;

export const sendingExplanations: Record<SendingBlockedReason, Explanation> = {
  SecureOnly: {
    step: 'RFC 6265bis §5.8.3 step 3 (Secure cookies go only to secure origins)',
    sentence: 'It is Secure and this request went over http.',
    fix: 'Use https (localhost counts as secure).',
  },
  NotOnPath: {
    step: 'RFC 6265bis §5.8.3 step 3 (path-match)',
    sentence: "The request's path is outside the cookie's Path.",
    fix: "Set the cookie with Path=/ (cookie: { path: '/' }).",
  },
  DomainMismatch: {
    step: 'RFC 6265bis §5.8.3 step 3 (host-only or domain-match)',
    sentence: 'The cookie belongs to another host (a host-only cookie goes to exactly one host).',
    fix: 'Use one host name throughout, or set Domain to the parent both hosts share.',
  },
  ...withheldCrossSite,
  SameSiteNoneInsecure: rejectExplanations.SameSiteNoneInsecure,
  UserPreferences: outsideTheModel,
  ThirdPartyPhaseout: outsideTheModel,
  UnknownError: outsideTheModel,
  // Chromium's names for the same refusals when it also noted a scheme difference (sameRuleAs)
  SchemefulSameSiteStrict: withheldCrossSite.SameSiteStrict,
  SchemefulSameSiteLax: withheldCrossSite.SameSiteLax,
  SchemefulSameSiteUnspecifiedTreatedAsLax: withheldCrossSite.SameSiteUnspecifiedTreatedAsLax,
  NameValuePairExceedsMaxSize: rejectExplanations.NameValuePairExceedsMaxSize,
  PortMismatch: {
    step: 'Chromium port binding (not in RFC 6265bis)',
    sentence: 'The browser binds this cookie to the port that set it.',
    fix: 'Use one port for the app.',
  },
  SchemeMismatch: {
    step: 'Chromium scheme binding (not in RFC 6265bis)',
    sentence: 'The browser binds this cookie to the scheme that set it.',
    fix: 'Use one scheme (https) for the app.',
  },
  AnonymousContext: outsideTheModel,
};

/**
 * Why a Partitioned cookie of this site stays out of a request made under another top-level
 * site. DevTools has no reason for it: Chromium leaves such a cookie out of associatedCookies.
 */
export const otherPartitionExplanation: Explanation = {
  step: 'CHIPS (draft-cutler-httpbis-partitioned-cookies §2.1): a Partitioned cookie is keyed by the top-level site',
  sentence:
    'It is Partitioned, and the page at the top of the tab is not on the site it was set under: the browser keeps it for that site only.',
  fix: 'This is what Partitioned is for (a frame keeps its own cookie under each site that embeds it). Unpartitioned (cookie: { partitioned: false }), only Chrome and Edge share it across sites: Safari blocks it and Firefox partitions it anyway.',
};

/** One Set-Cookie line read as RFC 6265bis §5.6 reads it. */
export interface ParsedLine {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  /** Milliseconds since the epoch, from Max-Age (first) or Expires; absent for a session cookie. */
  expires?: number;
  maxAgeSeconds?: number;
  secure: boolean;
  httpOnly: boolean;
  partitioned: boolean;
  sameSite?: 'strict' | 'lax' | 'none';
}

/** A cookie in the model's jar. */
export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  expires?: number;
  secure: boolean;
  httpOnly: boolean;
  partitioned: boolean;
  /** A Partitioned cookie's partition: it is stored and sent under this top-level site only. */
  partitionKey?: PartitionKey;
  sameSite?: 'strict' | 'lax' | 'none';
  created: number;
}

/**
 * CHIPS: a Partitioned cookie is keyed by the schemeful site of the top-level page it was set
 * under (draft-cutler-httpbis-partitioned-cookies §2.1; MDN "Cookies Having Independent
 * Partitioned State") and, in Chromium, by whether a cross-site frame stands between
 * (net/cookies/cookie_partition_key.cc, the ancestor chain bit; CDP Network.CookiePartitionKey).
 */
export interface PartitionKey {
  topLevelSite: string;
  hasCrossSiteAncestor: boolean;
}

/** Where a request went and where it came from, as far as cookies care. */
export interface RequestContext {
  /** The address as the browser asked for it (the proxy's host, not the app's). */
  url: URL;
  method: string;
  /** Sec-Fetch-Site, or the best guess from Origin or Referer when the browser sent none. */
  site: 'same-origin' | 'same-site' | 'cross-site' | 'none';
  /** A top-level navigation (Sec-Fetch-Mode: navigate with Sec-Fetch-Dest: document). */
  topLevel: boolean;
  /**
   * The schemeful site of the page at the top of the tab. No header names it: the request's own
   * site for a top-level navigation, else the last top-level page CookieModel saw.
   */
  topLevelSite?: string;
}

export type Verdict = 'stored' | 'changed' | 'rejected';

export interface LineVerdict {
  line: string;
  verdict: Verdict;
  name?: string;
  rejected: RejectReason[];
  changes: ChangeReason[];
  cookie?: StoredCookie;
}

const maxNameValueBytes = 4096; // RFC 6265bis §5.6 step 5; Chromium kMaxCookieNamePlusValueSize
const maxAttributeValueBytes = 1024; // RFC 6265bis §5.6, attributes step 6; Chromium kMaxCookieAttributeValueSize
const maxAgeCapMs = 400 * 24 * 3600 * 1000; // RFC 6265bis §5.5; canonical_cookie.cc ValidateAndAdjustExpiryDate

// RFC 6265bis §5.6 step 1: CTLs other than HTAB (%x00-08 / %x0A-1F / %x7F)
function hasControlCharacter(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function trimWsp(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

// an app sends the same few lines again and again: each is read once (Max-Age is counted from now)
const readLines = new Map<string, ParsedLine | { rejected: RejectReason }>();

/** Splits a line into its cookie and attributes (RFC 6265bis §5.6), or the reason it is ignored. */
export function parseSetCookie(line: string): ParsedLine | { rejected: RejectReason } {
  let parsed = readLines.get(line);
  if (parsed === undefined) {
    parsed = readSetCookie(line);
    if (readLines.size >= 1000) readLines.clear();
    readLines.set(line, parsed);
  }
  if ('rejected' in parsed || parsed.maxAgeSeconds === undefined) return parsed;
  const maxAge = parsed.maxAgeSeconds;
  return { ...parsed, expires: maxAge <= 0 ? 0 : Date.now() + maxAge * 1000 };
}

function readSetCookie(line: string): ParsedLine | { rejected: RejectReason } {
  if (hasControlCharacter(line)) return { rejected: 'DisallowedCharacter' };
  const semicolon = line.indexOf(';');
  const pair = semicolon === -1 ? line : line.slice(0, semicolon);
  const equals = pair.indexOf('=');
  const name = equals === -1 ? '' : trimWsp(pair.slice(0, equals));
  const value = trimWsp(equals === -1 ? pair : pair.slice(equals + 1));
  if (Buffer.byteLength(name + value) > maxNameValueBytes) {
    return { rejected: 'NameValuePairExceedsMaxSize' };
  }
  if (name === '' && value === '') return { rejected: 'NoCookieContent' };
  const parsed: ParsedLine = { name, value, secure: false, httpOnly: false, partitioned: false };
  let maxAge: number | undefined;
  let expires: number | undefined;
  // the last of each attribute counts (RFC 6265bis §5.7 steps 6, 7, 11 and 17 read the last one)
  for (const part of semicolon === -1 ? [] : line.slice(semicolon + 1).split(';')) {
    const at = part.indexOf('=');
    const key = trimWsp(at === -1 ? part : part.slice(0, at)).toLowerCase();
    const attribute = trimWsp(at === -1 ? '' : part.slice(at + 1));
    if (Buffer.byteLength(attribute) > maxAttributeValueBytes) continue;
    if (key === 'expires') {
      const date = parseDate(attribute);
      if (date) expires = date.getTime();
    } else if (key === 'max-age') {
      // §5.6.2: a leading digit or "-", then digits only; anything else ignores the attribute
      if (/^-?\d+$/.test(attribute)) maxAge = Number(attribute);
    } else if (key === 'domain') {
      // §5.6.3: an empty Domain is ignored; a leading dot is dropped
      if (attribute !== '') parsed.domain = attribute.replace(/^\./, '').toLowerCase();
    } else if (key === 'path') {
      parsed.path = attribute.startsWith('/') ? attribute : undefined;
    } else if (key === 'secure') parsed.secure = true;
    else if (key === 'httponly') parsed.httpOnly = true;
    else if (key === 'partitioned') parsed.partitioned = true;
    else if (key === 'samesite') {
      // §5.6.7: an unknown value leaves SameSite unspecified
      const same = attribute.toLowerCase();
      parsed.sameSite = same === 'strict' || same === 'lax' || same === 'none' ? same : undefined;
    }
  }
  // Max-Age wins over Expires (§5.7 step 6); parseSetCookie counts it from the moment it is asked
  if (maxAge !== undefined) parsed.maxAgeSeconds = maxAge;
  else if (expires !== undefined) parsed.expires = expires;
  return parsed;
}

/** An IPv6 address without its brackets; any other host as it is. */
function withoutBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The host a URL names, as cookies compare it (the URL parser has already lowercased it). */
function hostOf(url: URL): string {
  return withoutBrackets(url.hostname);
}

/** localhost, *.localhost and loopback addresses: secure contexts without TLS (W3C Secure Contexts §3.2). */
export function isLoopbackHost(host: string): boolean {
  const bare = withoutBrackets(host);
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** https, or a host the browser trusts like https (Chromium's IsUrlPotentiallyTrustworthy). */
export function isTrustworthy(url: URL): boolean {
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

const sites = new Map<string, string>();

/** The registrable domain ("site") of a host, as SameSite compares them (RFC 6265bis §5.2). */
export function registrableDomain(host: string): string {
  let site = sites.get(host);
  if (site === undefined) {
    site = isIP(withoutBrackets(host))
      ? host
      : (getPublicSuffix(host, { allowSpecialUseDomain: true, ignoreError: true }) ?? host);
    // a browser's traffic names few hosts: remember them, within reason
    if (sites.size >= 1000) sites.clear();
    sites.set(host, site);
  }
  return site;
}

/** True when the host is itself a public suffix (such as github.io or com). */
function isPublicSuffix(domain: string): boolean {
  if (isIP(domain)) return false;
  return getPublicSuffix(domain, { allowSpecialUseDomain: true, ignoreError: true }) === undefined;
}

function crossSite(context: RequestContext): boolean {
  return context.site === 'cross-site';
}

/**
 * The verdict on one Set-Cookie line received for `context`: every reason it was rejected, or how
 * it was stored. Like Chromium, reasons found while reading the line (domain, prefix, partition)
 * end the judgement before the request's context is weighed (URLRequestHttpJob saves the status of
 * CanonicalCookie::Create when it fails, and calls IsSetPermittedInContext only for a cookie).
 */
export function judgeSetCookie(
  line: string,
  context: RequestContext,
  jar: readonly StoredCookie[],
  now = Date.now(),
): LineVerdict {
  const parsed = parseSetCookie(line);
  if ('rejected' in parsed) {
    return { line, verdict: 'rejected', rejected: [parsed.rejected], changes: [] };
  }
  const host = hostOf(context.url);
  const trustworthy = isTrustworthy(context.url);
  const rejected: RejectReason[] = [];

  // §5.7 steps 9-10: a public-suffix Domain is allowed only as the host itself (then host-only).
  // Chromium also reads Domain=<the host's own IP address> as no Domain: a host-only cookie
  // (cookie_util.cc GetCookieDomainWithString), which may carry __Host- (HasValidHostPrefixAttributes)
  const ipDomainIsHost = parsed.domain === host && isIP(host) !== 0;
  let domain = host;
  let hostOnly = true;
  if (parsed.domain !== undefined && !ipDomainIsHost) {
    if (isPublicSuffix(parsed.domain) && parsed.domain !== host) rejected.push('InvalidDomain');
    else if (!domainMatch(host, parsed.domain, false)) rejected.push('InvalidDomain');
    else if (parsed.domain !== host || !isPublicSuffix(parsed.domain)) {
      domain = parsed.domain;
      hostOnly = false;
    }
  }
  const path = parsed.path ?? defaultPath(context.url.pathname);

  // §5.4, §5.7 steps 20-22: prefixes are matched case-insensitively (Chromium
  // kCaseInsensitiveCookiePrefix); a nameless cookie may not hide a prefix in its value
  // (canonical_cookie.cc HasHiddenPrefixName)
  const prefixed = (parsed.name === '' ? parsed.value : parsed.name).toLowerCase();
  const securePrefix = prefixed.startsWith('__secure-');
  const hostPrefix = prefixed.startsWith('__host-');
  if (parsed.name === '' && (securePrefix || hostPrefix)) rejected.push('InvalidPrefix');
  else if (securePrefix && !(parsed.secure && trustworthy)) rejected.push('InvalidPrefix');
  else if (
    hostPrefix &&
    !(
      parsed.secure &&
      trustworthy &&
      (parsed.domain === undefined || ipDomainIsHost) &&
      parsed.path === '/'
    )
  ) {
    rejected.push('InvalidPrefix');
  }
  // CHIPS: Partitioned requires Secure (canonical_cookie.cc IsCookiePartitionedValid)
  if (parsed.partitioned && !parsed.secure) rejected.push('InvalidPartitioned');
  if (rejected.length > 0) {
    return { line, name: parsed.name, verdict: 'rejected', rejected, changes: [] };
  }

  // CanonicalCookie::IsSetPermittedInContext: every reason the context gives is collected
  if (parsed.secure && !trustworthy) rejected.push('SecureOnly');
  if (parsed.sameSite === 'none' && !parsed.secure) rejected.push('SameSiteNoneInsecure');
  // a response to a top-level navigation may set any cookie: the page it opens is the site
  if (crossSite(context) && !context.topLevel) {
    if (parsed.sameSite === 'strict') rejected.push('SameSiteStrict');
    else if (parsed.sameSite === 'lax') rejected.push('SameSiteLax');
    else if (parsed.sameSite === undefined) rejected.push('SameSiteUnspecifiedTreatedAsLax');
  }
  // §5.7 step 16, cookie_monster.cc: an insecure page cannot touch a Secure cookie's name
  if (
    !parsed.secure &&
    !trustworthy &&
    jar.some(
      (old) =>
        old.secure &&
        old.name === parsed.name &&
        (domainMatch(old.domain, domain, false) || domainMatch(domain, old.domain, false)) &&
        pathMatch(path, old.path),
    )
  ) {
    rejected.push('OverwriteSecure');
  }
  if (rejected.length > 0) {
    return { line, name: parsed.name, verdict: 'rejected', rejected, changes: [] };
  }

  const changes: ChangeReason[] = [];
  let expires = parsed.expires;
  if (expires !== undefined && expires <= now) changes.push('Deletes');
  else if (expires !== undefined && expires > now + maxAgeCapMs) {
    expires = now + maxAgeCapMs;
    changes.push('MaxAgeCapped');
  }
  if (parsed.path === undefined && path !== '/') changes.push('DefaultPath');
  if (!hostOnly) changes.push('DomainCookie');
  if (parsed.sameSite === undefined) changes.push('SameSiteDefaultsToLax');
  const cookie: StoredCookie = {
    name: parsed.name,
    value: parsed.value,
    domain,
    hostOnly,
    path,
    expires,
    secure: parsed.secure,
    httpOnly: parsed.httpOnly,
    partitioned: parsed.partitioned,
    partitionKey: parsed.partitioned ? partitionKeyOf(context) : undefined,
    sameSite: parsed.sameSite,
    created: now,
  };
  // a missing SameSite is a note, not a change to what was asked
  const changed = changes.some((c) => c !== 'SameSiteDefaultsToLax');
  return {
    line,
    name: parsed.name,
    verdict: changed ? 'changed' : 'stored',
    rejected,
    changes,
    cookie,
  };
}

/** The scheme and registrable domain of a URL: a "schemeful site" (RFC 6265bis §5.2). */
export function schemefulSite(url: URL): string {
  return `${url.protocol}//${registrableDomain(hostOf(url))}`;
}

/**
 * The partition a request's Partitioned cookies belong to: the top-level page's site, and
 * whether the request comes from a context cross-site to it. Chromium sets the ancestor chain
 * bit for anything but a main-frame navigation whose site for cookies is not the request's own
 * site (CookiePartitionKey::FromNetworkIsolationKey).
 */
export function partitionKeyOf(context: RequestContext): PartitionKey {
  return {
    topLevelSite: context.topLevelSite ?? schemefulSite(context.url),
    hasCrossSiteAncestor: !context.topLevel && context.site === 'cross-site',
  };
}

function samePartition(a: PartitionKey | undefined, b: PartitionKey | undefined): boolean {
  return a?.topLevelSite === b?.topLevelSite && a?.hasCrossSiteAncestor === b?.hasCrossSiteAncestor;
}

/** §5.1.4 default-path: the request path up to, not including, its last "/" (or "/"). */
function defaultPath(pathname: string): string {
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

/** The jar after storing one verdict's cookie (§5.7 steps 23-24: same name, domain and path replace). */
export function storeInJar(
  jar: StoredCookie[],
  verdict: LineVerdict,
  now = Date.now(),
): StoredCookie[] {
  const cookie = verdict.cookie;
  if (!cookie) return jar;
  // a partitioned and an unpartitioned cookie of one name live side by side, as do two partitions
  const same = (old: StoredCookie) =>
    old.name === cookie.name &&
    old.domain === cookie.domain &&
    old.path === cookie.path &&
    samePartition(old.partitionKey, cookie.partitionKey);
  const kept = jar.filter((old) => !same(old) && (old.expires === undefined || old.expires > now));
  const previous = jar.find(same);
  if (cookie.expires !== undefined && cookie.expires <= now) return kept;
  // §5.7 step 23: a replaced cookie keeps its creation time
  return [...kept, previous ? { ...cookie, created: previous.created } : cookie];
}

export interface SendingVerdict {
  cookie: StoredCookie;
  sent: boolean;
  withheld: SendingBlockedReason[];
  /** Sent only because it is young and has no SameSite (Chromium's Lax-allowing-unsafe). */
  laxAllowingUnsafe?: boolean;
}

// Chromium lets a cookie without SameSite, younger than two minutes, ride a cross-site top-level
// POST (kLaxAllowUnsafeMaxAge in net/cookies/cookie_constants.h; RFC 6265bis §5.6.7.2)
const laxAllowingUnsafeMs = 2 * 60 * 1000;

/**
 * Every cookie in the jar for this request's site, and whether the browser would send it
 * (RFC 6265bis §5.8.3; Chromium CanonicalCookie::IncludeForRequestURL). Cookies of other sites
 * are left out, as DevTools leaves them out of associatedCookies.
 */
export function judgeSending(
  jar: readonly StoredCookie[],
  context: RequestContext,
  now = Date.now(),
): SendingVerdict[] {
  const host = hostOf(context.url);
  const site = registrableDomain(host);
  const trustworthy = isTrustworthy(context.url);
  const safe = ['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(context.method.toUpperCase());
  const verdicts: SendingVerdict[] = [];
  const partition = partitionKeyOf(context);
  for (const cookie of jar) {
    if (cookie.expires !== undefined && cookie.expires <= now) continue;
    if (registrableDomain(cookie.domain) !== site) continue;
    // CHIPS: a request sees only its own partition's cookies; Chromium does not list the others
    // among a request's associatedCookies at all
    if (cookie.partitionKey && !samePartition(cookie.partitionKey, partition)) continue;
    const withheld: SendingBlockedReason[] = [];
    const domainOk = cookie.hostOnly
      ? cookie.domain === host
      : domainMatch(host, cookie.domain, false);
    if (!domainOk) withheld.push('DomainMismatch');
    if (!pathMatch(context.url.pathname, cookie.path)) withheld.push('NotOnPath');
    if (cookie.secure && !trustworthy) withheld.push('SecureOnly');
    let laxAllowingUnsafe = false;
    if (crossSite(context)) {
      const laxOk = context.topLevel && safe;
      if (cookie.sameSite === 'strict') withheld.push('SameSiteStrict');
      else if (cookie.sameSite === 'lax' && !laxOk) withheld.push('SameSiteLax');
      else if (cookie.sameSite === undefined && !laxOk) {
        if (context.topLevel && now - cookie.created < laxAllowingUnsafeMs)
          laxAllowingUnsafe = true;
        else withheld.push('SameSiteUnspecifiedTreatedAsLax');
      }
    }
    verdicts.push({
      cookie,
      sent: withheld.length === 0,
      withheld,
      laxAllowingUnsafe: laxAllowingUnsafe || undefined,
    });
  }
  return verdicts;
}

/** This site's Partitioned cookies kept under another partition: never sent with this request. */
export function inOtherPartitions(
  jar: readonly StoredCookie[],
  context: RequestContext,
  now = Date.now(),
): StoredCookie[] {
  if (!jar.some((cookie) => cookie.partitionKey !== undefined)) return [];
  const site = registrableDomain(hostOf(context.url));
  const partition = partitionKeyOf(context);
  return jar.filter(
    (cookie) =>
      cookie.partitionKey !== undefined &&
      !samePartition(cookie.partitionKey, partition) &&
      (cookie.expires === undefined || cookie.expires > now) &&
      registrableDomain(cookie.domain) === site,
  );
}

/** The name=value pairs of a Cookie request header, in order. */
export function cookieHeaderPairs(header: string | undefined): { name: string; value: string }[] {
  const pairs: { name: string; value: string }[] = [];
  if (!header) return pairs;
  for (const part of header.split(';')) {
    const pair = part.trim();
    if (pair === '') continue;
    const at = pair.indexOf('=');
    pairs.push(
      at === -1
        ? { name: '', value: pair }
        : { name: pair.slice(0, at), value: pair.slice(at + 1) },
    );
  }
  return pairs;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request's cookie context from the browser's own Fetch Metadata headers (sent to secure
 * origins, localhost included: W3C Fetch Metadata §2); over plain http to another host the
 * browser sends none, so the Origin or Referer header decides, and `guessed` says so.
 */
export function requestContext(
  url: URL,
  method: string,
  headers: Headers,
): { context: RequestContext; guessed: boolean } {
  const site = header(headers, 'sec-fetch-site');
  const mode = header(headers, 'sec-fetch-mode');
  const dest = header(headers, 'sec-fetch-dest');
  if (site === 'same-origin' || site === 'same-site' || site === 'cross-site' || site === 'none') {
    return {
      context: { url, method, site, topLevel: mode === 'navigate' && dest === 'document' },
      guessed: false,
    };
  }
  const from = header(headers, 'origin') ?? header(headers, 'referer');
  let guessed: RequestContext['site'] = 'none';
  if (from && from !== 'null') {
    try {
      const origin = new URL(from);
      guessed =
        origin.host === url.host
          ? 'same-origin'
          : registrableDomain(origin.hostname) === registrableDomain(url.hostname)
            ? 'same-site'
            : 'cross-site';
    } catch {
      guessed = 'cross-site';
    }
  }
  // a browser asks for a page it navigates to with Accept: text/html and Upgrade-Insecure-Requests
  const navigation =
    String(header(headers, 'accept') ?? '').includes('text/html') &&
    header(headers, 'upgrade-insecure-requests') === '1';
  return { context: { url, method, site: guessed, topLevel: navigation }, guessed: true };
}

/**
 * A model of one browser's jar, fed with the traffic it sees: it predicts each request's Cookie
 * header, compares it with the header really sent, and judges each Set-Cookie line received.
 */
export class CookieModel {
  jar: StoredCookie[] = [];
  /**
   * Hosts whose pages were loaded into a frame by another site. A navigation inside such a frame
   * says Sec-Fetch-Site: same-origin (the frame navigates itself), yet its cookies are judged
   * against the site at the top (RFC 6265bis §5.2.1, site for cookies): no header names it, so
   * the model remembers who was framed cross-site and says it guessed.
   */
  private framedCrossSite = new Set<string>();
  /** The site of the last top-level page: the partition of every request until the next one. */
  private topLevelSite: string | undefined;

  /** The context of a request, the model's prediction for its cookies, and what differs from what was sent. */
  request(url: URL, method: string, headers: Headers) {
    const found = requestContext(url, method, headers);
    const { context } = found;
    let { guessed } = found;
    const dest = header(headers, 'sec-fetch-dest');
    if (dest === 'iframe' || dest === 'frame') {
      if (context.site === 'cross-site') this.framedCrossSite.add(url.host);
      else if (this.framedCrossSite.has(url.host)) {
        context.site = 'cross-site';
        guessed = true;
      }
    }
    if (context.topLevel) this.topLevelSite = schemefulSite(url);
    else context.topLevelSite = this.topLevelSite;
    const sending = judgeSending(this.jar, context);
    const sent = cookieHeaderPairs(header(headers, 'cookie')).map((pair) => pair.name);
    const expected = sending.filter((v) => v.sent).map((v) => v.cookie.name);
    const outsideModel = [
      ...sent.filter((name) => !expected.includes(name)).map((name) => ({ name, sent: true })),
      ...expected.filter((name) => !sent.includes(name)).map((name) => ({ name, sent: false })),
    ];
    const otherPartitions = inOtherPartitions(this.jar, context);
    return { context, guessed, sending, outsideModel, otherPartitions };
  }

  /** Judges one Set-Cookie line received for a request in `context`, and stores what the browser would. */
  receive(line: string, context: RequestContext): LineVerdict {
    const verdict = judgeSetCookie(line, context, this.jar);
    this.jar = storeInJar(this.jar, verdict);
    return verdict;
  }
}

/**
 * Chromium's DevTools name for a refusal, as the model names the same rule. Chromium 156 names
 * the SameSite refusals it reports with their "Schemeful" variants whenever it has also noted a
 * schemeful context downgrade (CookieInclusionStatus::HasSchemefulDowngradeWarning, read by
 * content/browser/devtools/protocol/network_handler.cc), which it did for every cross-site
 * request the differential test makes, https to https included: the rule is the same SameSite
 * rule, so both names count as one.
 */
export function sameRuleAs(reason: string): string {
  return reason.replace(/^SchemefulSameSite/, 'SameSite');
}
