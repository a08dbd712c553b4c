import chalk from 'chalk';
import { findLesson, lessonNumber } from '../../course/catalog.js';
import { StageRefused, startStageProcess } from '../../course/stage-process.js';
import { UserError } from '../../errors.js';
import { describeStore, parseStore } from '../../server/stores/choose.js';
import { onShutdown, shutdown, shuttingDown } from '../shutdown.js';

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
  const stage = await startStageProcess(lesson.number, {
    store,
    port: options.port,
    host: options.host,
  }).catch((err: unknown) => {
    throw err instanceof StageRefused ? new UserError(err.said, err.exitCode) : err;
  });
  onShutdown(() => stage.stop());
  void stage.exited.then(() => {
    if (shuttingDown()) return;
    process.stderr.write(`Stage ${lesson.number}'s server process ended on its own.\n`);
    void shutdown(1);
  });
  process.stdout.write(`Stage ${lesson.number} is running at ${chalk.bold.underline(stage.url)}\n`);
  if (options.open) {
    const { openInBrowser } = await import('../open-browser.js');
    process.stdout.write(`${chalk.dim(`(${await openInBrowser(stage.url)})`)}\n`);
  }
  process.stdout.write(
    `${chalk.dim(`Sessions live in ${describeStore(store)}. Press Ctrl-C to stop it.`)}\n`,
  );
  await new Promise<never>(() => {
    // runs until a signal: the shutdown handler stops the server and exits
  });
}
