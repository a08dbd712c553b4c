import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendants } from './leftovers.js';

/**
 * The CLI in a real terminal (a tmux pane, 100×50 unless asked): keys are typed with send-keys, the screen
 * is read with capture-pane. When the CLI ends, the pane prints its exit code and the terminal's
 * mode (`icanon` when back to normal, `-icanon` when left raw), then stays open to be read.
 * The one terminal driver of the tests: the walkthrough's own tests and the hardening tests use it.
 * Each Terminal has its own tmux server, so one test's teardown never races the next one's start.
 */
const footer = /page \d+\/\d+ +\[Enter\]/;
/** The row of the key line that says which page this is. */
const pageRow = /^page \d+\/\d+ | {2}page \d+\/\d+ /;

/** Which lesson and page the screen shows last, such as "2:5". */
function position(screen: string): string | undefined {
  const lesson = [...screen.matchAll(/Lesson (\d+) of/g)].at(-1)?.[1];
  const page = [...screen.matchAll(/page (\d+)\/\d+ +\[Enter\]/g)].at(-1)?.[1];
  return lesson && page ? `${lesson}:${page}` : undefined;
}

export class Terminal {
  private readonly socket =
    `session-tutor-hardening-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(
    command: string,
    env: Record<string, string>,
    cwd = process.cwd(),
    size = { columns: 100, rows: 50 },
  ) {
    const vars = Object.entries({ NO_COLOR: '1', ...env })
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ');
    // the shell outlives a Ctrl-C sent to the whole foreground group, to report the exit code
    const script = `trap : INT; cd '${cwd}' && env ${vars} ${command}; echo "EXIT=$?"; stty -a | grep -o -- '-\\?icanon'; exec cat`;
    const { columns, rows } = size;
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'tutor',
      '-x',
      `${columns}`,
      '-y',
      `${rows}`,
      'sh',
      '-c',
      script,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'tutor', '-S', '-300');
  }

  /** The rows the terminal shows now, and nothing scrolled away. */
  visible(): string {
    return this.tmux('capture-pane', '-p', '-t', 'tutor');
  }

  /**
   * The rows the terminal shows now, a line the terminal wrapped itself (softly, at its edge)
   * joined back into one, as a terminal copies it.
   */
  joined(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'tutor');
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000, read = () => this.screen()): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = read();
      if (pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the screen never showed ${pattern}; it shows:\n${screen}`);
  }

  keys(...names: string[]): void {
    this.tmux('send-keys', '-t', 'tutor', ...names);
  }

  /**
   * The whole page the tutor shows, read from its top to its bottom with Home and PgDn: its text
   * rows in order (each exactly once), and every screen seen on the way.
   */
  async readPage(): Promise<{ rows: string[]; screens: string[] }> {
    this.keys('Home');
    const screens: string[] = [];
    const rows: string[] = [];
    let screen = await this.waitFor(/page \d+\/\d+ +\[Enter\]/, 15_000, () => {
      const now = this.visible();
      return /lines (?!1-)\d+-/.test(now) ? '' : now;
    });
    for (;;) {
      screens.push(screen);
      const shown = screen.split('\n');
      const top = shown.indexOf('') + 1; // the header ends at the first blank row
      const at = screen.match(/lines (\d+)-(\d+) of (\d+)/);
      if (!at) {
        const footer =
          shown.length - 1 - [...shown].reverse().findIndex((row) => pageRow.test(row));
        rows.push(...shown.slice(top, footer).join('\n').trimEnd().split('\n'));
        return { rows, screens };
      }
      const [first, last, total] = at.slice(1).map(Number);
      if (first > rows.length + 1)
        throw new Error(`rows ${rows.length + 1} to ${first - 1} were never shown:\n${screen}`);
      rows.push(...shown.slice(top + rows.length - first + 1, top + last - first + 1));
      if (last === total) return { rows, screens };
      this.keys('NPage');
      screen = await this.waitFor(
        new RegExp(`lines (?!${first}-)\\d+-\\d+ of ${total}`),
        15_000,
        () => this.visible(),
      );
    }
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
