import escapeHtml from 'escape-html';
import type { Store } from 'express-session';
import type { Hop, Visitor } from '../probe/visitor.js';
import type { DemoContext, StoredSession, Verdict } from './types.js';

/** True when the page greets the visitor by this name, escaped as HTML should be. */
export function greets(hop: Hop | undefined, name: string): boolean {
  return (
    hop !== undefined && hop.status === 200 && hop.body.includes(`<h1>${escapeHtml(name)}</h1>`)
  );
}

/**
 * The heart of the course: a visitor tells the server its name, then comes back.
 * Remembered or forgotten is decided by what GET / answers on the return visit.
 */
export async function tellNameThenReturn(
  ctx: DemoContext,
  visitor: Visitor,
  name: string,
  expected: 'remembered' | 'forgotten',
): Promise<Verdict> {
  const posted = await visitor.post(`${ctx.stage.probeUrl}/setName`, { name });
  const again = await visitor.get(`${ctx.stage.probeUrl}/`);
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [...posted, ...again] });
  return rememberedVerdict(visitor.label, again.at(-1), name, expected);
}

export function rememberedVerdict(
  label: string,
  hop: Hop | undefined,
  name: string,
  expected: 'remembered' | 'forgotten',
): Verdict {
  const remembered = greets(hop, name);
  const answered = hop ? `${hop.status} ${hop.keyLine}` : 'nothing';
  return {
    label,
    outcome: remembered ? 'remembered' : 'forgotten',
    expected,
    evidence: remembered
      ? `GET / answered ${answered}`
      : `GET / answered ${answered}, not <h1>${escapeHtml(name)}</h1>`,
  };
}

/** What the session store holds right now: session ID → data (without the cookie settings). */
export function storedSessions(store: Store): Promise<StoredSession[]> {
  return new Promise((resolve, reject) => {
    if (!store.all) {
      resolve([]);
      return;
    }
    store.all((err, sessions) => {
      if (err) return reject(err);
      const list = Array.isArray(sessions)
        ? sessions.map((data, i) => [String(i), data] as const)
        : Object.entries(sessions ?? {});
      resolve(
        list.map(([id, data]) => {
          const { cookie: _cookie, ...rest } = data as unknown as Record<string, unknown>;
          return { id, data: rest };
        }),
      );
    });
  });
}
