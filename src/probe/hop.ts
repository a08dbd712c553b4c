// What a visit records, and how it fails: apart from the visitor, so code can show hops and
// recognise a probe failure without loading undici.

/** One request and its response, as the learner is shown it. */
export interface Hop {
  method: string;
  url: string;
  /** The Cookie header this request carried, if any. */
  cookieSent?: string;
  /** The form this request posted, if any. */
  form?: Record<string, string>;
  status: number;
  location?: string;
  setCookie: string[];
  body: string;
  /** The one line of the body that matters, such as `<h1>Ada</h1>`. */
  keyLine: string;
  /** Which server process answered, when the server says so (X-Served-By, stage 10 on). */
  servedBy?: string;
  /** The stage number, when one of session-tutor's own stage servers answered. */
  tutorStage?: number;
}

/** A hop without its body, which can be large: for JSON reports, where keyLine says enough. */
export function briefHop(hop: Hop): Omit<Hop, 'body'> {
  const { body: _body, ...brief } = hop;
  return brief;
}

/** What a response answered, in one line for evidence: `200 <h1>Ada</h1>`, or `nothing`. */
export function answerOf(hop: Hop | undefined): string {
  return hop ? `${hop.status} ${hop.keyLine}` : 'nothing';
}

/** A probe failure explained in words a learner can act on. */
export class ProbeError extends Error {
  constructor(
    message: string,
    readonly hops: Hop[] = [],
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}
