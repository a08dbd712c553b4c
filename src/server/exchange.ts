import type {
  LineVerdict,
  RequestContext,
  SendingVerdict,
  StoredCookie,
} from '../probe/cookie-rules.js';
import type { Advice } from '../probe/session-advice.js';

/** What the browser and the app said in one request and response, with the cookie verdicts. */
export interface Exchange {
  id: number;
  /** The request's address as the browser wrote it (the proxy's host). */
  url: string;
  method: string;
  fetch: { site: RequestContext['site']; topLevel: boolean; guessed: boolean };
  /** The Cookie header the browser sent, as sent. */
  cookieHeader?: string;
  /** The model's prediction for every cookie of this site in its jar. */
  sending: SendingVerdict[];
  /** This site's Partitioned cookies kept for another top-level site, so not part of this request. */
  otherPartitions: StoredCookie[];
  /** Cookies the browser sent that the model did not expect, and the reverse: outside the model. */
  outsideModel: { name: string; sent: boolean }[];
  status?: number;
  location?: string;
  setCookies: LineVerdict[];
  /** Set-Cookie lines the proxy could not pass on (Node refuses to write them), and why. */
  dropped: { line: string; why: string }[];
  /** The model's jar after this response. */
  jar: StoredCookie[];
  advice: Advice[];
  /** The CORS headers that decide whether a page on another origin may read a credentialed answer. */
  cors?: { origin?: string; allowOrigin?: string; allowCredentials?: string };
  /** What went wrong between the proxy and the app, in one sentence. */
  problem?: string;
}
