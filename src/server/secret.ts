import { randomBytes } from 'node:crypto';

export interface SecretChoice {
  secret: string;
  /** True when the secret came from SESSION_SECRET; false when one was made up for this run. */
  fromEnvironment: boolean;
}

/** SESSION_SECRET when set, otherwise a random 32-byte secret that lives only as long as this run. */
export function chooseSecret(env: NodeJS.ProcessEnv = process.env): SecretChoice {
  const fromEnv = env.SESSION_SECRET?.trim();
  if (fromEnv) return { secret: fromEnv, fromEnvironment: true };
  return { secret: randomBytes(32).toString('hex'), fromEnvironment: false };
}
