import type { Store } from 'express-session';
import type { StoredSession } from './types.js';

/**
 * Notes which sessions the store holds now; the function it returns lists only those made since,
 * so a demo shows its own sessions, not the earlier lessons' (the tutor keeps one store for all).
 */
export async function watchStore(store: Store): Promise<() => Promise<StoredSession[]>> {
  const before = new Set((await storedSessions(store)).map((s) => s.id));
  return async () => (await storedSessions(store)).filter((s) => !before.has(s.id));
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
