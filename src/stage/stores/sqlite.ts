import session, { type SessionData } from 'express-session';

// The few parts of node:sqlite (Node >= 22.13) this store uses; @types/node 20 does not describe it.
interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
type SqliteModule = { DatabaseSync: new (file: string) => Database };

/** The first Node version whose node:sqlite needs no flag. */
export const sqliteSince = '22.13';

/** True when this Node has node:sqlite without a flag. */
export function hasNodeSqlite(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

const oneDayMs = 24 * 60 * 60 * 1000;

/**
 * An express-session store in one SQLite file, through Node's built-in node:sqlite.
 * Written here because the maintained SQLite stores need a native driver (sqlite3,
 * better-sqlite3), and this one must work with no native build.
 */
export class SqliteStore extends session.Store {
  private constructor(private readonly db: Database) {
    super();
  }

  static async open(file: string): Promise<SqliteStore> {
    // a variable specifier keeps TypeScript (and older Node) from resolving it before it is needed
    const specifier = 'node:sqlite';
    const { DatabaseSync } = (await import(specifier)) as SqliteModule;
    const db = new DatabaseSync(file);
    // WAL lets two server processes share the file; busy_timeout makes one wait for the other's write
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 2000;
      CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL)`);
    return new SqliteStore(db);
  }

  override get(id: string, done: (err: unknown, data?: SessionData | null) => void): void {
    this.attempt(done, () => {
      const row = this.db
        .prepare('SELECT data FROM sessions WHERE id = ? AND expires > ?')
        .get(id, Date.now());
      return row ? (JSON.parse(String(row.data)) as SessionData) : null;
    });
  }

  override set(id: string, data: SessionData, done?: (err?: unknown) => void): void {
    this.attempt(done, () => {
      this.db
        .prepare(
          `INSERT INTO sessions (id, data, expires) VALUES (?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires = excluded.expires`,
        )
        .run(id, JSON.stringify(data), expiry(data));
    });
  }

  override touch(id: string, data: SessionData, done?: (err?: unknown) => void): void {
    this.attempt(done, () => {
      this.db.prepare('UPDATE sessions SET expires = ? WHERE id = ?').run(expiry(data), id);
    });
  }

  override destroy(id: string, done?: (err?: unknown) => void): void {
    this.attempt(done, () => {
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    });
  }

  override all(done: (err: unknown, sessions?: Record<string, SessionData> | null) => void): void {
    this.attempt(done, () => {
      const rows = this.db
        .prepare('SELECT id, data FROM sessions WHERE expires > ?')
        .all(Date.now());
      return Object.fromEntries(rows.map((row) => [String(row.id), JSON.parse(String(row.data))]));
    });
  }

  close(): void {
    this.db.close();
  }

  private attempt<T>(done: ((err: unknown, value?: T) => void) | undefined, work: () => T): void {
    let value: T;
    try {
      value = work();
    } catch (err) {
      done?.(err);
      return;
    }
    done?.(null, value);
  }
}

/** When the session ends: its cookie's expiry, or a day for a cookie that lasts until the browser closes. */
function expiry(data: SessionData): number {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires).getTime() : Date.now() + oneDayMs;
}
