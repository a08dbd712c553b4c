import { Refusal } from './refusal.js';

/** The secrets SESSION_SECRET lists, newest first, separated by commas. */
export function splitSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Prints 32 random bytes in hex, from Node's cryptographic generator, in bash, PowerShell and cmd alike. */
export const secretGenerator = `node -p "require('crypto').randomBytes(32).toString('hex')"`;

/** Shorter than this, a secret can be guessed by trying: 32 random characters cannot. */
export const minSecretLength = 32;

/** Why a server refused its secret. */
export class WeakSecretError extends Refusal {
  override name = 'WeakSecretError';
}

/** Throws a WeakSecretError when SESSION_SECRET is missing or any of its secrets is too short. */
export function refuseWeakSecret(value: string | undefined): void {
  const secrets = splitSecrets(value);
  const fix = `Set SESSION_SECRET to at least ${minSecretLength} random characters, such as the output of \`${secretGenerator}\`.`;
  if (secrets.length === 0) {
    throw new WeakSecretError(
      `NODE_ENV is production but SESSION_SECRET is not set, so sessions would be signed with a made-up secret. ${fix}`,
    );
  }
  const short = secrets.find((s) => s.length < minSecretLength);
  if (short !== undefined) {
    throw new WeakSecretError(
      `NODE_ENV is production and SESSION_SECRET holds a weak secret (${short.length} characters): anyone who guesses it can sign cookies. ${fix}`,
    );
  }
}
