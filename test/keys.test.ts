import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliPath, freshHome } from './helpers.js';

const interrupt = vi.hoisted(() => vi.fn(() => new Promise<never>(() => {})));
vi.mock('../src/cli/shutdown.js', async (original) => ({
  ...(await original<typeof import('../src/cli/shutdown.js')>()),
  interrupt,
}));

const { KeyReader } = await import('../src/cli/keys.js');

/** A terminal's stdin as KeyReader sees it: raw mode can be switched, key bytes arrive. */
function fakeTerminal() {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(raw: boolean) {
      input.isRaw = raw;
      return input;
    },
  });
  vi.spyOn(process, 'stdin', 'get').mockReturnValue(input as unknown as typeof process.stdin);
  return input;
}

afterEach(() => {
  vi.restoreAllMocks();
  interrupt.mockClear();
});

describe('keys read in raw mode', () => {
  it('Ctrl-C runs the same shutdown as SIGINT, without signalling the process itself', async () => {
    const input = fakeTerminal();
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const keys = new KeyReader();
    try {
      expect(input.isRaw).toBe(true);
      input.write('\x03');
      await vi.waitFor(() => expect(interrupt).toHaveBeenCalledTimes(1));
      expect(kill).not.toHaveBeenCalled();
    } finally {
      keys.close();
    }
    expect(input.isRaw).toBe(false);
  });

  it('Enter, b, h and q are next, back, hint and quit', async () => {
    const input = fakeTerminal();
    const keys = new KeyReader();
    try {
      const actions: string[] = [];
      for (const key of ['\r', 'b', 'h', 'q']) {
        const next = keys.next();
        input.write(key);
        actions.push(await next);
      }
      expect(actions).toEqual(['next', 'back', 'hint', 'quit']);
      expect(interrupt).not.toHaveBeenCalled();
    } finally {
      keys.close();
    }
  });
});

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// the terminal driver reads /proc and stty's Linux output
describe.skipIf(!hasTmux || process.platform !== 'linux')(
  'Ctrl-C in a real terminal, with process.kill as on Windows',
  () => {
    const windowsKill = new URL('./fixtures/shims/windows-kill.mjs', import.meta.url).href;
    let terminal: import('./hardening/terminal.js').Terminal | undefined;
    afterEach(() => terminal?.close());

    it('stops the demo server, restores the terminal and exits with 130', async () => {
      const [{ Terminal }, { somebodyListensOn }] = await Promise.all([
        import('./hardening/terminal.js'),
        import('./hardening/leftovers.js'),
      ]);
      terminal = new Terminal(
        `${process.execPath} --import ${windowsKill} ${cliPath} start --port 0 --from 5`,
        { SESSION_TUTOR_HOME: freshHome() },
      );
      const screen = await terminal.waitFor(/page 1\/\d+/);
      const port = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);
      expect(somebodyListensOn(port)).toBe(true);
      terminal.keys('C-c');
      const end = await terminal.ended();
      expect(end.code).toBe(130);
      expect(end.normalMode).toBe(true);
      expect(somebodyListensOn(port)).toBe(false);
    });
  },
);
