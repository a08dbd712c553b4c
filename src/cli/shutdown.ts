/**
 * One place that knows how the process ends. Whoever starts something that must be
 * undone (a server, raw terminal mode) registers how to undo it here, and every exit
 * path (done, q, Ctrl-C, SIGTERM, an error) runs the same list once.
 */
type Cleanup = () => unknown;

const cleanups = new Set<Cleanup>();
let exiting = false;

/** Registers a cleanup; call the returned function once it has been done the normal way. */
export function onShutdown(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export async function shutdown(exitCode: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    for (const cleanup of [...cleanups].reverse()) {
      try {
        await cleanup();
      } catch (err) {
        process.stderr.write(`while stopping: ${(err as Error).message}\n`);
      }
    }
    cleanups.clear();
    process.exitCode = exitCode;
  }
  process.exit(process.exitCode);
}

export const interruptedExitCode = 130;
export const terminatedExitCode = 143;

/** Ctrl-C ends with 130 and SIGTERM with 143, as shells expect, after every cleanup has run. */
export function handleSignals(): void {
  process.once('SIGINT', () => void shutdown(interruptedExitCode));
  process.once('SIGTERM', () => void shutdown(terminatedExitCode));
  process.once('SIGHUP', () => void shutdown(129));
}
