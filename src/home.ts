import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * Where the tutor keeps its own files: $SESSION_TUTOR_HOME, else the user's config folder:
 * %APPDATA%\session-tutor on Windows, $XDG_CONFIG_HOME/session-tutor (~/.config by default)
 * elsewhere. On Windows a ~/.config/session-tutor made by an earlier version stays in use, so no
 * progress is lost.
 */
export function tutorHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): string {
  if (env.SESSION_TUTOR_HOME) return env.SESSION_TUTOR_HOME;
  const { join } = platform === 'win32' ? win32 : posix;
  const config = join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'session-tutor');
  if (platform !== 'win32' || exists(config)) return config;
  return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'session-tutor');
}

/**
 * Where the learner's own copies go by default (exercises, ejected stages): a folder of their own
 * outside the tutor's tree, so a clone's `git status` stays clean. Under $SESSION_TUTOR_HOME when
 * that is set, so one variable keeps a whole run's files together; else ~/session-tutor-exercises.
 */
export function learnerHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const { join } = platform === 'win32' ? win32 : posix;
  if (env.SESSION_TUTOR_HOME) return join(env.SESSION_TUTOR_HOME, 'exercises');
  return join(homedir(), 'session-tutor-exercises');
}
