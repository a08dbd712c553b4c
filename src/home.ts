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
