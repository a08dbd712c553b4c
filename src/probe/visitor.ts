import { CookieJar } from 'tough-cookie';
import { Agent, errors, request } from 'undici';
import { type Hop, ProbeError } from './hop.js';
import { filledIn, type PageForm, pageOf } from './html.js';
import { navigationHeaders } from './navigation.js';
import { ownStageHeader } from './own-stage.js';

/**
 * How a visitor treats cookies:
 * - `goldfish`: keeps none, so it never sends one back;
 * - `jar`: keeps them in a cookie jar and sends them back, as a browser does;
 * - `receive-only`: keeps them but never sends them, as a blocked third-party frame does.
 */
export type CookieHabit = 'goldfish' | 'jar' | 'receive-only';

export interface VisitorLimits {
  /** For the whole request, connection to last byte. */
  timeoutMs: number;
  maxRedirects: number;
  maxBodyBytes: number;
}

// 3 s per request: a server that never answers is reported, process start included, within 5 s
export const defaultLimits: VisitorLimits = {
  timeoutMs: 3000,
  maxRedirects: 10,
  maxBodyBytes: 1_000_000,
};

export interface VisitOptions {
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Send this Cookie header instead of the jar's, to replay or tamper with a cookie. */
  cookie?: string;
  /** Follow redirects (the default), recording every hop. */
  follow?: boolean;
  /**
   * For the first request: how a browser would judge its site, as tough-cookie's sameSiteContext.
   * `none` (a POST from another site) withholds Lax and Strict cookies, as browsers do.
   */
  sameSite?: 'strict' | 'lax' | 'none';
}

/** A client that visits a server the way one kind of browser would, recording every hop. */
export class Visitor {
  readonly jar = new CookieJar();
  private readonly agent: Agent;

  constructor(
    readonly label: string,
    readonly habit: CookieHabit,
    readonly limits: VisitorLimits = defaultLimits,
  ) {
    this.agent = new Agent({
      connect: { timeout: limits.timeoutMs },
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
    });
  }

  get(url: string, options: VisitOptions = {}): Promise<Hop[]> {
    return this.visit('GET', url, options);
  }

  post(url: string, form: Record<string, string>, options: VisitOptions = {}): Promise<Hop[]> {
    return this.visit('POST', url, { ...options, form });
  }

  /**
   * Submits a form of the page at `from` as a browser does when its visitor types `typed` into it
   * and presses its button: every successful control of the form with the typed values in place,
   * sent to the form's action with the headers a browser adds (Origin, Referer, Sec-Fetch-*).
   * A page that posts to another site (an attacker's) gets the headers of that page.
   */
  submit(
    from: string,
    form: PageForm,
    typed: Record<string, string> = {},
    options: VisitOptions = {},
  ): Promise<Hop[]> {
    const fields = filledIn(form, typed);
    const headers = { ...navigationHeaders(from, form.action, form.method), ...options.headers };
    if (form.method === 'post') return this.post(form.action, fields, { ...options, headers });
    const target = new URL(form.action);
    target.search = new URLSearchParams(fields).toString();
    return this.visit('GET', target.href, { ...options, headers });
  }

  /** Sends one request and, unless told not to, follows redirects by hand so each hop is seen. */
  async visit(method: string, url: string, options: VisitOptions = {}): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: { method: string; url: string; form?: Record<string, string> } | undefined = {
      method,
      url: parseUrl(url).href,
      form: options.form,
    };
    while (next) {
      if (hops.length > this.limits.maxRedirects) {
        throw new ProbeError(
          `${url} redirected more than ${this.limits.maxRedirects} times: is it redirecting in a loop?`,
          hops,
        );
      }
      const cookie =
        hops.length === 0 && options.cookie !== undefined
          ? options.cookie
          : await this.cookieFor(next.url, hops.length === 0 ? options.sameSite : undefined);
      const hop = await this.send(next.method, next.url, next.form, cookie, options.headers, hops);
      hops.push(hop);
      next = options.follow === false ? undefined : redirectFrom(hop, next);
    }
    return hops;
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  private async cookieFor(
    url: string,
    sameSiteContext: VisitOptions['sameSite'],
  ): Promise<string | undefined> {
    if (this.habit !== 'jar') return undefined;
    const cookie = await this.jar.getCookieString(url, { sameSiteContext });
    return cookie === '' ? undefined : cookie;
  }

  private async send(
    method: string,
    url: string,
    form: Record<string, string> | undefined,
    cookie: string | undefined,
    extraHeaders: Record<string, string> | undefined,
    hops: Hop[],
  ): Promise<Hop> {
    const headers: Record<string, string> = { 'user-agent': 'session-tutor', ...extraHeaders };
    if (cookie !== undefined) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    try {
      const response = await request(url, {
        method,
        headers,
        body,
        dispatcher: this.agent,
        signal: timeout,
      });
      const setCookie = asList(response.headers['set-cookie']);
      if (this.habit !== 'goldfish') {
        for (const line of setCookie) await this.jar.setCookie(line, url, { ignoreError: true });
      }
      const text = await readCapped(response.body, this.limits.maxBodyBytes);
      if (text === undefined) {
        throw new ProbeError(
          `${url} sent a page larger than ${this.limits.maxBodyBytes / 1_000_000} MB, more than a visitor reads: is this the address of your app?`,
          hops,
        );
      }
      const location = response.headers.location;
      const servedBy = response.headers['x-served-by'];
      const tutorStage = response.headers[ownStageHeader];
      return {
        method,
        url,
        cookieSent: cookie,
        form,
        status: response.statusCode,
        location: typeof location === 'string' ? location : undefined,
        setCookie,
        body: text,
        // read when shown: a page is parsed once, when something asks about it (pageOf caches it)
        get keyLine() {
          return keyLine(this as Hop);
        },
        servedBy: typeof servedBy === 'string' ? servedBy : undefined,
        tutorStage: typeof tutorStage === 'string' ? Number(tutorStage) : undefined,
      };
    } catch (err) {
      if (err instanceof ProbeError) throw err;
      throw new ProbeError(explainFailure(err, url, this.limits.timeoutMs, timeout.aborted), hops);
    }
  }
}

function parseUrl(url: string): URL {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    return parsed;
  } catch {
    throw new ProbeError(`"${url}" is not a web address: write it like http://localhost:3000`);
  }
}

function redirectFrom(
  hop: Hop,
  sent: { method: string; url: string; form?: Record<string, string> },
): { method: string; url: string; form?: Record<string, string> } | undefined {
  if (hop.status < 300 || hop.status >= 400 || hop.location === undefined) return undefined;
  const url = new URL(hop.location, sent.url).href;
  // 307 and 308 repeat the request as it was; the others turn it into a GET.
  return hop.status === 307 || hop.status === 308 ? { ...sent, url } : { method: 'GET', url };
}

function asList(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** Reads the body to the end (so the connection can be reused); undefined when over `cap` bytes. */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  cap: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > cap) {
      body.destroy();
      return undefined;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The line of a page that tells what the server said: its <h1>, or else its first line. */
export function keyLine(hop: Hop): string {
  const line = pageOf(hop).keyLine();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function explainFailure(err: unknown, url: string, timeoutMs: number, timedOut: boolean): string {
  const seconds = timeoutMs / 1000;
  const code =
    (err as { code?: string; cause?: { code?: string } }).code ??
    (err as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return `Nothing is listening at ${url}: is your server running?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `Cannot find the host of ${url}: check the address.`;
  if (
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError ||
    err instanceof errors.ConnectTimeoutError ||
    timedOut ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return `${url} did not answer within ${seconds} s: is the server stuck, or is this the wrong port?`;
  }
  if (code?.startsWith('HPE_') || err instanceof errors.HTTPParserError) {
    return `${url} answered, but not in HTTP: is this the right port?`;
  }
  if (err instanceof errors.SocketError || code === 'ECONNRESET') {
    return `${url} closed the connection without an answer: did the server crash?`;
  }
  return `Could not reach ${url}: ${(err as Error).message}`;
}
