import { watch as watchFiles } from 'node:fs';
import { createInterface } from 'node:readline';
import chalk from 'chalk';
import { onShutdown } from './shutdown.js';

const write = (text: string) => process.stdout.write(text);

/**
 * `check N --watch`: runs the checks, then again whenever a file under the current folder
 * changes or Enter is pressed. While the server is down (as when `node --watch` restarts it),
 * it waits for it to answer, then runs.
 */
export async function watchChecks(
  url: string,
  runOnce: () => Promise<{ unreachable?: string }>,
): Promise<void> {
  let wake: (() => void) | undefined;
  let pending = true;
  const trigger = () => {
    pending = true;
    wake?.();
  };
  let debounce: NodeJS.Timeout | undefined;
  const onChange = (_event: string, file: string | null) => {
    if (file && /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(file)) return;
    // an editor's save is often several writes: run once they have settled
    clearTimeout(debounce);
    debounce = setTimeout(trigger, 200);
  };
  // a folder too large or unreadable to watch still leaves Enter to run the checks again
  const noWatching = (err: Error) => {
    process.stderr.write(
      `warning: cannot watch ${process.cwd()} for changes (${err.message}); press Enter to check again.\n`,
    );
  };
  let watcher: ReturnType<typeof watchFiles> | undefined;
  try {
    watcher = watchFiles(process.cwd(), { recursive: true }, onChange);
    watcher.on('error', (err) => {
      noWatching(err);
      watcher?.close();
    });
  } catch (err) {
    noWatching(err as Error);
  }
  const input = createInterface({ input: process.stdin });
  let quit = false;
  input.on('line', (line) => {
    if (line.trim() === 'q') {
      quit = true;
      wake?.();
    } else trigger();
  });
  const stop = () => {
    clearTimeout(debounce);
    watcher?.close();
    input.close();
  };
  const removeCleanup = onShutdown(stop);
  try {
    while (!quit) {
      if (!pending) await new Promise<void>((resolve) => (wake = resolve));
      if (quit) break;
      pending = false;
      if (process.stdout.isTTY) write('\x1b[2J\x1b[H');
      const report = await runOnce();
      write(
        chalk.dim(
          `\n${report.unreachable ? 'Waiting for your server; it' : 'Watching files here; check'} runs again when a file changes. Enter: run now · q Enter: quit\n`,
        ),
      );
      if (report.unreachable) await waitUntilAnswering(url, () => pending || quit);
      if (report.unreachable && !quit) pending = true;
    }
  } finally {
    stop();
    removeCleanup();
  }
}

/** Asks the server again every half second until it answers, or `interrupted()` says to stop. */
async function waitUntilAnswering(url: string, interrupted: () => boolean): Promise<void> {
  const [{ setTimeout: delay }, { Visitor }] = await Promise.all([
    import('node:timers/promises'),
    import('../probe/visitor.js'),
  ]);
  const visitor = new Visitor('reachability', 'goldfish');
  try {
    while (!interrupted()) {
      try {
        await visitor.get(`${url}/`, { follow: false });
        return;
      } catch {
        await delay(500);
      }
    }
  } finally {
    await visitor.close();
  }
}
