import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the tutor keeps its own files: $SESSION_TUTOR_HOME, else the user's config folder. */
export function tutorHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_TUTOR_HOME) return env.SESSION_TUTOR_HOME;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'session-tutor');
}
