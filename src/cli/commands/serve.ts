import chalk from 'chalk';
import { findLesson, lessonNumber } from '../../course/catalog.js';
import { StageRefused, startStageProcess } from '../../course/stage-process.js';
import { UserError } from '../../errors.js';
import { describeStore, parseStore } from '../../stage/stores/choose.js';
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
  const [{ developmentSecret }, { tutorHome }] = await Promise.all([
    import('../../stage/secret.js'),
    import('../../home.js'),
  ]);
  const kept = developmentSecret(tutorHome());
  return {
    secret: kept.secret,
    said:
      'problem' in kept
        ? `SESSION_SECRET is not set and ${kept.problem}: the secret lasts for this run only, ${runOnly}`
        : `SESSION_SECRET is not set: cookies are signed with a development secret kept in ${kept.file} (readable by you only), so they still verify after a restart.`,
  };
}

/**
 * Runs one stage alone, in a process of its own as lessons 9 to 11 do, until Ctrl-C or SIGTERM,
 * which stop it and free the port.
 */
export async function serve(
  n: string,
  options: { port: number; host: string; open?: boolean; store: string },
): Promise<void> {
  const lesson = findLesson(lessonNumber(n));
  const store = parseStore(options.store);
  const signing = lesson.sessionless ? undefined : await chooseServeSecret();
  const stage = await startStageProcess(lesson.number, {
    store,
    port: options.port,
    host: options.host,
    secret: signing?.secret,
  }).catch((err: unknown) => {
    throw err instanceof StageRefused ? new UserError(err.said, err.exitCode) : err;
  });
  onShutdown(() => stage.stop());
  void stage.exited.then(() => {
    if (shuttingDown()) return;
    process.stderr.write(`Stage ${lesson.number}'s server process ended on its own.\n`);
    void shutdown(1);
  });
  // lesson 12's attack page, which its "Try it" opens: stopped with the stage
  const beside = await lesson.beside?.(stage.url, options.host, options.port === 0);
  if (beside) onShutdown(() => beside.stop());
  process.stdout.write(`Stage ${lesson.number} is running at ${chalk.bold.underline(stage.url)}\n`);
  if (beside) process.stdout.write(`${chalk.dim(`(${beside.note})`)}\n`);
  if (options.open) {
    const { openInBrowser } = await import('../open-browser.js');
    process.stdout.write(`${chalk.dim(`(${await openInBrowser(stage.url)})`)}\n`);
  }
  const sessions = signing ? `Sessions live in ${describeStore(store)}. ${signing.said} ` : '';
  process.stdout.write(`${chalk.dim(`${sessions}Press Ctrl-C to stop it.`)}\n`);
  await new Promise<never>(() => {
    // runs until a signal: the shutdown handler stops the server and exits
  });
}
