/**
 * One place that knows how the process ends. Whoever starts something that must be
 * undone (a server, raw terminal mode) registers how to undo it here, and every exit
 * path (done, q, Ctrl-C, SIGTERM, an error) runs the same list once.
 */
type Cleanup = () => unknown;

const cleanups = new Set<Cleanup>();
let finishing: Promise<void> | undefined;

/** Registers a cleanup; call the returned function once it has been done the normal way. */
export function onShutdown(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Runs every cleanup, then exits. The first call decides the exit code; a later one (say, an
 * error thrown because a signal's cleanup stopped a server mid-request) waits for the same
 * cleanups instead of exiting before they are done. `lastWords` are written once they are done.
 */
export async function shutdown(exitCode: number, lastWords = ''): Promise<never> {
  finishing ??= (async () => {
    process.exitCode = exitCode;
    for (const cleanup of [...cleanups].reverse()) {
      try {
        await cleanup();
      } catch (err) {
        process.stderr.write(`while stopping: ${(err as Error).message}\n`);
      }
    }
    cleanups.clear();
    // said after the cleanups: once the terminal has left the pager's screen, it stays in sight
    process.stderr.write(lastWords);
  })();
  await finishing;
  process.exit(process.exitCode);
}

/** True once the process has begun to end: errors from servers being stopped are expected then. */
export function shuttingDown(): boolean {
  return finishing !== undefined;
}

export const interruptedExitCode = 130;
export const terminatedExitCode = 143;

/**
 * What Ctrl-C does, from the signal or from a key read in raw mode. The key must not send SIGINT
 * to this process: on Windows that is TerminateProcess, which runs no cleanup and exits with 1
 * (nodejs.org/api/child_process.html, subprocess.kill; nodejs/node#55514).
 */
export function interrupt(): Promise<never> {
  return shutdown(interruptedExitCode);
}

/**
 * Ctrl-C ends with 130, SIGTERM with 143 and SIGHUP with 129 (128 + the signal's number, as
 * shells report a process killed by it), after every cleanup has run. An error that escapes
 * everything (thrown from a timer or a stray promise) ends with 1, also after the cleanups.
 */
export function handleSignals(): void {
  process.once('SIGINT', () => void interrupt());
  process.once('SIGTERM', () => void shutdown(terminatedExitCode));
  process.once('SIGHUP', () => void shutdown(129));
  // a reader that went away (`session-tutor start --yes | head`) is no error: stop quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') void shutdown(0);
    else void endUnexpectedly(err);
  });
  process.on('uncaughtException', (err) => void endUnexpectedly(err));
  process.on('unhandledRejection', (err) => void endUnexpectedly(err));
}

/** A bug, not a user mistake: the stack trace helps whoever reports it. Exits with 1. */
export async function endUnexpectedly(err: unknown): Promise<never> {
  // while ending, errors from what the cleanups stop are expected: the first cause decides
  if (shuttingDown()) return shutdown(1);
  // loaded only here: every command, `--version` too, imports this module as it starts
  const { default: chalk } = await import('chalk');
  const stack = err instanceof Error ? err.stack : String(err);
  return shutdown(1, `${chalk.red('session-tutor hit a problem it did not expect:')}\n${stack}\n`);
}
