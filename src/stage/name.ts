import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';

export const maxNameLength = 100;

export type NameResult =
  | { ok: true; name: string }
  | { ok: false; status: 400 | 415; problem: string };

/** Reads the `name` field of a posted form, or says in one sentence why it cannot be used. */
export function nameFromForm(req: Request): NameResult {
  if (!req.is('application/x-www-form-urlencoded')) {
    return {
      ok: false,
      status: 415,
      problem: 'Send the name as a form (application/x-www-form-urlencoded), as the page does.',
    };
  }
  const value: unknown = req.body?.name;
  if (Array.isArray(value)) {
    return {
      ok: false,
      status: 400,
      problem: 'The form sent more than one name: send exactly one.',
    };
  }
  if (typeof value !== 'string') {
    return { ok: false, status: 400, problem: 'The form sent no name field.' };
  }
  const name = value.trim();
  if (name === '') {
    return { ok: false, status: 400, problem: 'The name is empty: type a name and try again.' };
  }
  if ([...name].length > maxNameLength) {
    return {
      ok: false,
      status: 400,
      problem: `The name is longer than ${maxNameLength} characters: try a shorter one.`,
    };
  }
  return { ok: true, name };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A `verify` hook for express.urlencoded: express's parser keeps a broken %-escape (`%ZZ`,
 * `%C3%28`) as typed, so without this the server would store junk it could not decode.
 */
export function refuseBrokenEncoding(
  _req: IncomingMessage,
  _res: ServerResponse,
  body: Buffer,
  encoding: string,
): void {
  if (encoding !== 'utf-8') return;
  try {
    decodeURIComponent(utf8.decode(body));
  } catch {
    throw Object.assign(new Error('broken percent-encoding'), {
      status: 400,
      type: 'form.encoding.broken',
    });
  }
}
