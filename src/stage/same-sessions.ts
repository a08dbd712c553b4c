import session, { type SessionData, type Store } from 'express-session';

type Done = (err?: unknown) => void;

/**
 * The same sessions as `store`, through a store object of its own. express-session keeps the
 * cookie options of a session() on the store object it is given (as `store.generate`), and adds
 * its listeners there; so a second session() with other cookie options needs an object of its
 * own, even for the same sessions.
 */
class SameSessions extends session.Store {
  constructor(private readonly sessions: Store) {
    super();
  }
  override get(sid: string, done: (err: unknown, data?: SessionData | null) => void): void {
    this.sessions.get(sid, done);
  }
  override set(sid: string, data: SessionData, done?: Done): void {
    this.sessions.set(sid, data, done);
  }
  override destroy(sid: string, done?: Done): void {
    this.sessions.destroy(sid, done);
  }
  override touch(sid: string, data: SessionData, done?: Done): void {
    if (this.sessions.touch) this.sessions.touch(sid, data, done);
    else done?.();
  }
}

export function sameSessions(store: Store): Store {
  return new SameSessions(store);
}
