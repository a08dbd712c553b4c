import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendants } from './leftovers.js';

/**
 * The CLI in a real terminal (a tmux pane, 100 columns): keys are typed with send-keys, the screen
 * is read with capture-pane. When the CLI ends, the pane prints its exit code and the terminal's
 * mode (`icanon` when back to normal, `-icanon` when left raw), then stays open to be read.
 * The one terminal driver of the tests: the walkthrough's own tests and the hardening tests use it.
 * Each Terminal has its own tmux server, so one test's teardown never races the next one's start.
 */
const footer = /page \d+\/\d+ +\[Enter\]/;

/** Which lesson and page the screen shows last, such as "2:5". */
function position(screen: string): string | undefined {
  const lesson = [...screen.matchAll(/Lesson (\d+) of/g)].at(-1)?.[1];
  const page = [...screen.matchAll(/page (\d+)\/\d+ +\[Enter\]/g)].at(-1)?.[1];
  return lesson && page ? `${lesson}:${page}` : undefined;
}

export class Terminal {
  private readonly socket =
    `session-tutor-hardening-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(command: string, env: Record<string, string>, cwd = process.cwd()) {
    const vars = Object.entries({ NO_COLOR: '1', ...env })
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ');
    // the shell outlives a Ctrl-C sent to the whole foreground group, to report the exit code
    const script = `trap : INT; cd '${cwd}' && env ${vars} ${command}; echo "EXIT=$?"; stty -a | grep -o -- '-\\?icanon'; exec cat`;
    this.tmux('new-session', '-d', '-s', 'tutor', '-x', '100', '-y', '50', 'sh', '-c', script);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'tutor', '-S', '-300');
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the screen never showed ${pattern}; it shows:\n${screen}`);
  }

  keys(...names: string[]): void {
    this.tmux('send-keys', '-t', 'tutor', ...names);
  }

  /** Presses Enter, one page at a time, until the screen shows `pattern`. */
  async pageUntil(pattern: RegExp, maxPages = 20): Promise<string> {
    let screen = await this.waitFor(new RegExp(`${footer.source}|${pattern.source}`));
    for (let n = 0; n < maxPages && !pattern.test(screen); n++) {
      const before = position(screen);
      // a key pressed before the CLI reads keys again would be lost: one page at a time
      this.keys('Enter');
      await this.waitUntil(() => {
        screen = this.screen();
        const now = position(screen);
        return pattern.test(screen) || (now !== undefined && now !== before);
      }, `Enter turned the page from ${before}`);
    }
    if (!pattern.test(screen)) throw new Error(`no page showed ${pattern}:\n${screen}`);
    return screen;
  }

  private async waitUntil(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The pid of the CLI itself (node), started by the pane's shell. */
  cliPid(): number {
    const shell = Number(this.tmux('list-panes', '-t', 'tutor', '-F', '#{pane_pid}').trim());
    const pid = descendants(shell).find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('dist/cli.js');
      } catch {
        return false;
      }
    });
    if (pid === undefined) throw new Error('the CLI is not running in the terminal');
    return pid;
  }

  /** Waits for the CLI to end; returns its exit code and whether the terminal is back to normal. */
  async ended(): Promise<{ code: number; normalMode: boolean; screen: string }> {
    const screen = await this.waitFor(/EXIT=\d+\s+-?icanon/);
    const [, code, mode] = screen.match(/EXIT=(\d+)\s+(-?icanon)/) as RegExpMatchArray;
    return { code: Number(code), normalMode: mode === 'icanon', screen };
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
