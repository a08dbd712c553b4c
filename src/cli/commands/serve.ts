import chalk from 'chalk';
import type { LessonInfo } from '../../course/catalog.js';
import { StageRefused, startStageProcess } from '../../course/stage-process.js';
import { UserError } from '../../errors.js';
import { tutorHome } from '../../home.js';
import { describeStore, parseStore } from '../../stage/stores/choose.js';
import { fitLines } from '../render.js';
import { onShutdown, shutdown, shuttingDown } from '../shutdown.js';

/**
 * The secret `serve` signs with, and one sentence saying where it comes from. Without
 * SESSION_SECRET, a development secret kept in the tutor's home, so that a restart finds the
 * sessions a store kept (lesson 9's exercise); never in production, where stage 11 refuses to
 * start without SESSION_SECRET, as it teaches.
 */
async function chooseServeSecret(): Promise<{ secret?: string; said: string }> {
  if (process.env.SESSION_SECRET?.trim()) {
    return { said: 'Cookies are signed with SESSION_SECRET.' };
  }
  const runOnly =
    'so after a restart no cookie verifies, whatever the store kept: set SESSION_SECRET to keep sessions.';
  if (process.env.NODE_ENV === 'production') {
    return { said: `SESSION_SECRET is not set: the secret lasts for this run only, ${runOnly}` };
  }
  const { developmentSecret } = await import('../../server/tutor-secret.js');
  const kept = developmentSecret(tutorHome());
  return {
    secret: kept.secret,
    said:
      'problem' in kept
        ? `SESSION_SECRET is not set and ${kept.problem}: the secret lasts for this run only, ${runOnly}`
        : `SESSION_SECRET is not set: cookies are signed with a development secret kept in ${kept.file} (${keptPrivate()}), so they still verify after a restart.`,
  };
}

/**
 * How private the development secret's file is. Its mode 0600 means "readable by you only" on
 * macOS and Linux; on Windows a file's mode sets only the read-only bit (nodejs.org/api/fs.html,
 * "File modes"), and the folder's permissions decide who reads it: those of the user's own
 * %APPDATA%, unless SESSION_TUTOR_HOME points elsewhere.
 */
export function keptPrivate(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'as private as the folder it is in' : 'readable by you only';
}

const usualPort = 3000;

/**
 * Runs one stage alone, in a process of its own as lessons 9 to 11 do, until Ctrl-C or SIGTERM,
 * which stop it and free the port.
 */
export async function serve(
  lesson: LessonInfo,
  options: { port?: number; host: string; open?: boolean; store: string },
): Promise<void> {
  const store = parseStore(options.store, tutorHome());
  const signing = lesson.sessionless ? undefined : await chooseServeSecret();
  const start = (port: number) =>
    startStageProcess(lesson.number, { store, port, host: options.host, secret: signing?.secret });
  const port = options.port ?? usualPort;
  let moved: string | undefined;
  const stage = await start(port)
    .catch((err: unknown) => {
      // a port nobody asked for that is busy or reserved: any free one does
      if (!(err instanceof StageRefused && err.portReason && options.port === undefined)) throw err;
      moved = err.portReason;
      return start(0);
    })
    .catch((err: unknown) => {
      throw err instanceof StageRefused ? new UserError(err.said, err.exitCode) : err;
    });
  onShutdown(() => stage.stop());
  void stage.exited.then(() => {
    if (shuttingDown()) return;
    process.stderr.write(`Stage ${lesson.number}'s server process ended on its own.\n`);
    void shutdown(1);
  });
  // lesson 12's attack page, which its "Try it" opens: stopped with the stage
  const beside = await lesson.beside?.(stage.url, options.host, port === 0 || moved !== undefined);
  if (beside) onShutdown(() => beside.stop());
  process.stdout.write(`Stage ${lesson.number} is running at ${chalk.bold.underline(stage.url)}\n`);
  if (moved) {
    process.stdout.write(
      `${chalk.yellow(fitLines(`Port ${port} ${moved}, so this run uses port ${stage.port} instead.`))}\n`,
    );
  }
  if (beside) process.stdout.write(`${chalk.dim(`(${beside.note})`)}\n`);
  if (options.open) {
    const { openInBrowser } = await import('../open-browser.js');
    process.stdout.write(`${chalk.dim(`(${await openInBrowser(stage.url)})`)}\n`);
  }
  if (signing) {
    const sessions = `Sessions live in ${describeStore(store)}. ${signing.said}`;
    process.stdout.write(`${chalk.dim(fitLines(sessions))}\n`);
  }
  process.stdout.write(`${chalk.dim('Press Ctrl-C to stop it.')}\n`);
  await new Promise<never>(() => {
    // runs until a signal: the shutdown handler stops the server and exits
  });
}
