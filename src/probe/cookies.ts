import { Cookie } from 'tough-cookie';

export interface ExplainedCookie {
  name: string;
  value: string;
  /** What the value is: a signed session ID (data on the server), or something opaque. */
  kind: 'signed-session-id' | 'opaque';
  sessionId?: string;
  signature?: string;
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
  const lifetime =
    cookie.maxAge !== null && cookie.maxAge !== undefined && cookie.maxAge !== 'Infinity'
      ? `Max-Age=${String(cookie.maxAge)}`
      : cookie.expires instanceof Date
        ? `Expires=${cookie.expires.toUTCString()}`
        : undefined;
  return {
    name: cookie.key,
    value: cookie.value,
    kind: signed ? 'signed-session-id' : 'opaque',
    sessionId: signed?.id,
    signature: signed?.signature,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite && cookie.sameSite !== 'none' ? cookie.sameSite : undefined,
    path: cookie.path ?? undefined,
    lifetime,
    summary: signed
      ? 'a signed session ID: the data stays on the server, the cookie only says which session is yours'
      : 'an opaque value',
  };
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
