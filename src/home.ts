import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the tutor keeps its own files: $SESSION_TUTOR_HOME, else the user's config folder. */
export function tutorHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_TUTOR_HOME) return env.SESSION_TUTOR_HOME;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'session-tutor');
}

/**
 * Where the learner's own copies go by default (exercises, ejected stages): a folder of their own
 * outside the tutor's tree, so a clone's `git status` stays clean. Under $SESSION_TUTOR_HOME when
 * that is set, so one variable keeps a whole run's files together; else ~/session-tutor-exercises.
 */
export function learnerHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_TUTOR_HOME) return join(env.SESSION_TUTOR_HOME, 'exercises');
  return join(homedir(), 'session-tutor-exercises');
}
