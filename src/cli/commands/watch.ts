import chalk from 'chalk';
import { UserError } from '../../errors.js';
import type { Exchange } from '../../server/exchange.js';
import { type BrowserReport, exchangeLines } from '../render-watch.js';
import { onShutdown } from '../shutdown.js';
import { pageWidth } from '../width.js';
import { httpUrl } from './probe.js';

interface WatchOptions {
  port?: number;
  browser?: boolean;
  json?: boolean;
}

/**
 * `watch URL`: a reverse proxy on loopback in front of the learner's app, which says, live, what
 * a browser does with every cookie: stored, changed or rejected, sent or withheld, and why.
 */
export async function watch(target: string, options: WatchOptions): Promise<void> {
  const url = httpUrl(target);
  const { startWatchProxy } = await import('../../server/watch-proxy.js');
  const proxy = await startWatchProxy({ target: url, port: options.port ?? 0 }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        throw new UserError(
          `Port ${options.port} is busy: choose another with --port, or --port 0 for any free one.`,
        );
      }
      throw err;
    },
  );
  onShutdown(() => proxy.stop());
  const write = (text: string) => process.stdout.write(text);
  if (!options.json) {
    write(
      `${chalk.bold('Watching')} ${url} through ${chalk.bold.underline(proxy.url)}\n` +
        `${chalk.dim(`Open that address instead of your app's; the same timeline is live at ${proxy.pageUrl}. Press Ctrl-C to stop.`)}\n` +
        (options.browser
          ? '\n'
          : `${chalk.dim("A page that names your app's own address (a frame, a form) sends those requests around watch; --browser routes an http app's through it too.")}\n\n`),
    );
  }
  // Chromium opens the proxy's address as it starts: its first exchanges wait for it
  const browser = options.browser
    ? import('../watch-browser.js').then(({ watchInChromium }) => watchInChromium(proxy, url))
    : undefined;
  // under load many exchanges end in one turn of the event loop: their text goes out in one write
  let pending = '';
  const flush = () => {
    write(pending);
    pending = '';
  };
  onShutdown(flush);
  const print = (text: string) => {
    if (pending === '') setImmediate(flush);
    pending += text;
  };
  const show = (exchange: Exchange, report?: BrowserReport) => {
    if (options.json)
      print(`${JSON.stringify(report ? { ...exchange, chromium: report } : exchange)}\n`);
    else print(`${exchangeLines(exchange, pageWidth(), report)}\n\n`);
  };
  if (browser) {
    // Chromium's report on an exchange comes after the exchange: the timeline waits for it, in order
    let shown = Promise.resolve();
    proxy.onExchange((exchange) => {
      shown = shown.then(async () =>
        show(exchange, await browser.then((b) => b.reportFor(exchange)).catch(() => undefined)),
      );
    });
  } else proxy.onExchange((exchange) => show(exchange));
  if (browser) {
    onShutdown(async () => (await browser.catch(() => undefined))?.close());
    const opened = await browser;
    if (!options.json) {
      // an https app is opened at the proxy's own address, so only the http one has every request routed
      const routed = opened.url !== proxy.url ? ', every request to your app through watch' : '';
      write(
        `${chalk.dim(`Chromium ${opened.version} is open at ${opened.url}${routed}; what it reports appears beside each verdict.`)}\n\n`,
      );
    }
  }
  await new Promise<never>(() => {
    // runs until a signal: the shutdown handler stops the proxy (and Chromium) and exits
  });
}
