import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolder } from '../stage/folder.js';
import { minSecretLength, splitSecrets } from '../stage/secret.js';

// The secrets the tutor's own stages sign with. An ejected project reads SESSION_SECRET itself
// (src/stage/standalone.ts), so none of this belongs in the room that eject copies.

export interface SecretChoice {
  /** One secret, or several (newest first) when SESSION_SECRET lists them separated by commas. */
  secret: string | string[];
  /** True when the secret came from SESSION_SECRET; false when one was made up for this run. */
  fromEnvironment: boolean;
}

/** SESSION_SECRET when set, otherwise a random 32-byte secret that lives only as long as this run. */
export function chooseSecret(env: NodeJS.ProcessEnv = process.env): SecretChoice {
  const secrets = splitSecrets(env.SESSION_SECRET);
  if (secrets.length > 0)
    return { secret: secrets.length === 1 ? secrets[0] : secrets, fromEnvironment: true };
  return { secret: randomBytes(32).toString('hex'), fromEnvironment: false };
}

/** Where `serve` keeps the development secret it makes when SESSION_SECRET is not set. */
export type DevelopmentSecret =
  | { secret: string; file: string }
  | { secret: string; file: string; problem: string };

/**
 * A development secret that outlives a run: made once, kept in `home` as a file only its owner can
 * read (mode 0600), and read back next time. A store keeps sessions across a restart, but their
 * cookies verify only if the restarted server signs with the same secret. When the file cannot be
 * kept, the secret is random and lasts for this run only; `problem` says why.
 */
export function developmentSecret(home: string): DevelopmentSecret {
  const file = join(home, 'development-secret');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= minSecretLength) {
      // someone may have loosened it: a secret is for its owner's eyes only
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { secret: kept, file };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return runOnly(file, err);
  }
  const secret = randomBytes(32).toString('hex');
  try {
    makeFolder(home);
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600); // mode applies only to a new file
    return { secret, file };
  } catch (err) {
    return runOnly(file, err, secret);
  }
}

function runOnly(file: string, err: unknown, secret = randomBytes(32).toString('hex')) {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return { secret, file, problem: `${file} cannot be used (${code})` };
}
