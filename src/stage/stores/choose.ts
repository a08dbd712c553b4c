import { join } from 'node:path';
import type { Store } from 'express-session';
import { Refusal } from '../refusal.js';

/** Where sessions live, as chosen with `--store`. */
export type StoreChoice =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string }
  | { kind: 'redis'; url: string };

export const storeUsage = 'memory, sqlite, sqlite:FILE or redis://HOST:PORT';

/** Reads a `--store` value; a SQLite store without a file lives in the folder `home`. */
export function parseStore(text: string, home: string): StoreChoice {
  const value = text.trim();
  if (value === 'memory') return { kind: 'memory' };
  if (value === 'sqlite') return { kind: 'sqlite', file: join(home, 'sessions.sqlite') };
  if (value.startsWith('sqlite:') && value.length > 'sqlite:'.length)
    return { kind: 'sqlite', file: value.slice('sqlite:'.length) };
  if (/^rediss?:\/\/[^/\s]+/.test(value)) {
    if (!isRedisAddress(value)) {
      throw new Refusal(`"${text}" is not a Redis address: write it like redis://127.0.0.1:6379.`);
    }
    return { kind: 'redis', url: value };
  }
  throw new Refusal(`"${text}" is not a session store: use ${storeUsage}.`);
}

function isRedisAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return url.hostname !== '' && (url.port === '' || Number(url.port) <= 65535);
  } catch {
    return false;
  }
}

export function describeStore(choice: StoreChoice): string {
  if (choice.kind === 'memory') return "this process's memory";
  return choice.kind === 'sqlite' ? `the SQLite file ${choice.file}` : `Redis at ${choice.url}`;
}

export interface OpenStore {
  store: Store;
  close(): Promise<void>;
}

/** express-session's own store, in this process's memory; express-session loads only here. */
export async function memoryStore(): Promise<Store> {
  const { default: session } = await import('express-session');
  return new session.MemoryStore();
}

/** Opens the chosen store; SQLite and Redis code loads only when they are chosen. */
export async function openStore(choice: StoreChoice): Promise<OpenStore> {
  if (choice.kind === 'memory') {
    return { store: await memoryStore(), close: async () => {} };
  }
  if (choice.kind === 'sqlite') {
    const { SqliteStore, hasNodeSqlite, sqliteSince } = await import('./sqlite.js');
    if (!hasNodeSqlite()) {
      throw new Refusal(
        `The SQLite store uses Node's built-in node:sqlite, which needs Node ${sqliteSince} or newer; ` +
          `this is Node ${process.versions.node}. Upgrade Node, or use --store memory or --store redis://HOST:PORT.`,
      );
    }
    const [{ dirname }, { makeFolder }] = await Promise.all([
      import('node:path'),
      import('../folder.js'),
    ]);
    try {
      makeFolder(dirname(choice.file));
      const store = await SqliteStore.open(choice.file);
      return { store, close: async () => store.close() };
    } catch (err) {
      throw new Refusal(
        `Cannot open the SQLite file ${choice.file}: ${(err as Error).message}. Pick another with --store sqlite:FILE.`,
      );
    }
  }
  return openRedis(choice);
}

/** What to install beside the tutor for `--store redis://`. */
export const redisPackages = 'redis@6 connect-redis@9 express-session@1.19';

/**
 * redis and connect-redis are optional: most learners never use Redis, and they would double the
 * size of every install. A clone has them (they are dev dependencies); elsewhere they are added by
 * hand, beside the tutor. connect-redis's store extends the Store class of an express-session it
 * finds beside it (a peer dependency), not the copy bundled into the tutor: that works, because
 * express-session only calls a store's methods, and pinning 1.19 keeps the two copies alike.
 */
export async function loadRedisModules(
  load = () => Promise.all([import('redis'), import('connect-redis')]),
) {
  try {
    return await load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    const withNpx = redisPackages
      .split(' ')
      .map((pkg) => `-p ${pkg}`)
      .join(' ');
    throw new Refusal(
      'The Redis store needs packages that are not installed with session-tutor: ' +
        `run \`npm install ${redisPackages}\` in the folder where session-tutor is installed ` +
        `(with npx: \`npx ${withNpx} -p session-tutor session-tutor ...\`), or use --store memory.`,
    );
  }
}

async function openRedis(choice: { kind: 'redis'; url: string }): Promise<OpenStore> {
  const [{ createClient }, { RedisStore }] = await loadRedisModules();
  // no reconnecting: a tutor that lost its Redis should say so, not wait forever
  const client = createClient({
    url: choice.url,
    socket: { connectTimeout: 3000, reconnectStrategy: false },
  });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect();
  } catch (err) {
    client.destroy();
    const reason = (lastError ?? (err as Error)).message || 'no answer';
    throw new Refusal(
      `Cannot reach Redis at ${choice.url} (${reason}): is redis-server running there? Or use --store memory.`,
    );
  }
  return {
    store: new RedisStore({ client, prefix: 'session-tutor:' }),
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}
