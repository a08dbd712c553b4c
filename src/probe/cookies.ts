import { inflateSync } from 'node:zlib';
import { Cookie } from 'tough-cookie';

export interface ExplainedCookie {
  name: string;
  value: string;
  /**
   * What the value is: a signed session ID (the data stays on the server), data anyone can
   * read (such as a signed client-side session), something opaque, or (once `probe` measured
   * that it grows with the data) encrypted data.
   */
  kind: 'signed-session-id' | 'readable' | 'opaque' | 'encrypted-data';
  sessionId?: string;
  signature?: string;
  /** For a readable cookie: the decoded data, parsed when it is JSON. */
  payload?: unknown;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: string;
  path?: string;
  /** Expires or Max-Age, as sent; absent means the cookie lasts until the browser closes. */
  lifetime?: string;
  summary: string;
}

/** Reads one Set-Cookie line and says what it carries and how long it lives. */
export function explainCookie(setCookie: string): ExplainedCookie | undefined {
  const cookie = Cookie.parse(setCookie);
  if (!cookie) return undefined;
  const signed = splitSignedId(cookie.value);
  const readable = signed ? undefined : readPayload(cookie.value);
  const lifetime =
    cookie.maxAge !== null && cookie.maxAge !== undefined && cookie.maxAge !== 'Infinity'
      ? `Max-Age=${String(cookie.maxAge)}`
      : cookie.expires instanceof Date
        ? `Expires=${cookie.expires.toUTCString()}`
        : undefined;
  return {
    name: cookie.key,
    value: cookie.value,
    kind: signed ? 'signed-session-id' : readable ? 'readable' : 'opaque',
    sessionId: signed?.id,
    signature: signed?.signature,
    payload: readable?.payload,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite ?? undefined,
    path: cookie.path ?? undefined,
    lifetime,
    summary: signed
      ? 'a signed session ID: the data stays on the server, the cookie only says which session is yours'
      : readable
        ? 'readable data: anyone who holds this cookie can read it; a signature, if there is one, only stops changes'
        : 'an opaque value: nothing in it can be read from outside',
  };
}

/**
 * Finds data anyone can read in a cookie value: JSON as it is (Express's `j:` cookies), or a
 * base64/base64url segment holding JSON or text, zlib-compressed or not. That covers the
 * signed client-side sessions of many frameworks (Flask and Django `payload.time.sig`, Rails
 * `data--digest`, JWTs, cookie-session): signed so they cannot be changed, but not hidden.
 */
export function readPayload(value: string): { payload: unknown } | undefined {
  let text: string;
  try {
    text = decodeURIComponent(value).replace(/^"(.*)"$/, '$1');
  } catch {
    return undefined;
  }
  const direct = parseJson(text.replace(/^j:/, ''));
  if (direct !== undefined) return { payload: direct };
  for (const segment of text.split(/\.|:|--/)) {
    // Flask and Django mark a compressed payload with a leading dot, which the split leaves empty
    const compressed = text.startsWith(`.${segment}`);
    const decoded = decodeSegment(segment, compressed);
    if (decoded === undefined) continue;
    const json = parseJson(decoded);
    if (json !== undefined) return { payload: json };
    // plain text counts when it reads like data (words and separators), not like a random token
    if (/[\p{L}\d]{2,}[ =:,&|;]+[\p{L}\d]{2,}/u.test(decoded)) return { payload: decoded };
  }
  return undefined;
}

function decodeSegment(segment: string, compressed: boolean): string | undefined {
  if (segment.length < 12 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(segment)) return undefined;
  let bytes = Buffer.from(segment, 'base64');
  if (compressed) {
    try {
      bytes = inflateSync(bytes);
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('utf8');
  // random bytes (a session ID, a signature) almost never decode to clean, printable UTF-8
  return Buffer.from(text, 'utf8').equals(bytes) &&
    /^[^\p{Cc}\p{Cn}\p{Co}]+$/u.test(text.replace(/\s/g, ' '))
    ? text
    : undefined;
}

function parseJson(text: string): unknown {
  if (!/^[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** express-session's cookie value: `s:` + session ID + `.` + HMAC signature, URL-encoded. */
export function splitSignedId(value: string): { id: string; signature: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  const match = decoded.match(/^s:([^.]+)\.(.+)$/);
  return match ? { id: match[1], signature: match[2] } : undefined;
}

/** The same cookie with one character of its signature changed, as a forger would try. */
export function tamperSignature(nameValue: string): string {
  const at = nameValue.length - 1;
  const last = nameValue[at];
  return nameValue.slice(0, at) + (last === 'A' ? 'B' : 'A');
}
