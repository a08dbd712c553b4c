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
 * cleanups instead of exiting before they are done.
 */
export async function shutdown(exitCode: number): Promise<never> {
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

/** Ctrl-C ends with 130 and SIGTERM with 143, as shells expect, after every cleanup has run. */
export function handleSignals(): void {
  process.once('SIGINT', () => void shutdown(interruptedExitCode));
  process.once('SIGTERM', () => void shutdown(terminatedExitCode));
  process.once('SIGHUP', () => void shutdown(129));
}
