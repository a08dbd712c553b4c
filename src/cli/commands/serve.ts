import chalk from 'chalk';
import { lessonNumber } from '../../course/catalog.js';
import { startStage } from '../../server/start.js';
import { describeStore, openStore, parseStore } from '../../server/stores/choose.js';
import { onShutdown } from '../shutdown.js';

/** Runs one stage alone until Ctrl-C or SIGTERM, which stop it and free the port. */
export async function serve(
  n: string,
  options: { port: number; host: string; open?: boolean; store: string },
): Promise<void> {
  const number = lessonNumber(n);
  const opened = await openStore(parseStore(options.store));
  onShutdown(() => opened.close());
  const stage = await startStage(number, {
    port: options.port,
    host: options.host,
    store: opened.store,
  });
  onShutdown(() => stage.stop());
  process.stdout.write(`Stage ${number} is running at ${chalk.bold.underline(stage.url)}\n`);
  if (options.open) {
    const { openInBrowser } = await import('../open-browser.js');
    process.stdout.write(`${chalk.dim(`(${await openInBrowser(stage.url)})`)}\n`);
  }
  process.stdout.write(
    `${chalk.dim(`Sessions live in ${describeStore(opened.choice)}. Press Ctrl-C to stop it.`)}\n`,
  );
  await new Promise<never>(() => {
    // runs until a signal: the shutdown handler stops the server and exits
  });
}
