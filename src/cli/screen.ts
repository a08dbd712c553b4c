import chalk from 'chalk';
import { glyphs } from './glyphs.js';
import { wrapText } from './render.js';
import { onShutdown } from './shutdown.js';
import { displayWidth, fitting } from './width.js';

/** How the learner moves the view within a page. */
export type Scroll = 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

// The alternate screen keeps the learner's terminal as it was; in it, mode 1007 asks the terminal
// to send the mouse wheel as ↑/↓ (xterm's alternateScroll, also in VTE and others), so text can
// still be selected and copied, as it could not with mouse reporting on.
const enter = '\x1b[?1049h\x1b[?1007h\x1b[?25l';
const leave = '\x1b[?25h\x1b[?1007l\x1b[?1049l';

/**
 * The interactive page: a header and a footer that stay put, and between them the page's lines,
 * which scroll. Everything is drawn again, whole, after each change.
 */
export class Screen {
  private header: string[] = [];
  /** The page's text so far, exactly as it would be printed: what the rows are cut from. */
  private text = '';
  private lines: string[] = [];
  private keys: string[] = [];
  private top = 0;
  private open = true;
  /** The terminal is lent out (see `lend`): nothing is drawn until it comes back. */
  private lent = false;
  private readonly removeCleanup: () => void;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    out.write(enter);
    out.on('resize', this.draw);
    this.removeCleanup = onShutdown(() => this.close());
  }

  /** Starts a page: its header, and no text yet. `keepPlace` keeps the view (the same page again). */
  begin(header: string, keepPlace: boolean): void {
    this.header = this.fit(header);
    this.text = '';
    this.lines = [];
    this.keys = [];
    if (!keepPlace) this.top = 0;
  }

  /**
   * Adds text to the page. With `follow`, a view that showed the last line moves on to show the
   * new ones, as a terminal would: a demo's exchanges stay in sight as they arrive.
   */
  write(text: string, follow = false): void {
    const sawEnd = this.top + this.rows() >= this.lines.length;
    this.text += text;
    this.lines = this.fit(this.text.replace(/\s+$/, ''));
    if (follow && sawEnd) this.top = this.lines.length;
    this.draw();
  }

  /** The keys at the bottom, each such as `[b] back`, kept whole when the footer wraps. */
  footer(keys: string[], showEnd = false): void {
    this.keys = keys;
    if (showEnd) this.top = this.lines.length;
    this.draw();
  }

  scroll(how: Scroll): void {
    const page = Math.max(1, this.rows() - 1);
    const step = { up: -1, down: 1, pageUp: -page, pageDown: page, home: -Infinity, end: Infinity };
    this.top += step[how];
    this.draw();
  }

  /**
   * Leaves the alternate screen while `use` runs (the exercise prints to the terminal as a
   * command does), then comes back and draws the page again, whole.
   */
  async lend<T>(use: () => Promise<T>): Promise<T> {
    this.lent = true;
    this.out.write(leave);
    try {
      return await use();
    } finally {
      this.lent = false;
      if (this.open) {
        this.out.write(enter);
        this.draw();
      }
    }
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.out.off('resize', this.draw);
    this.out.write(leave);
    this.removeCleanup();
  }

  // A terminal that reports no size (0 × 0, as a pseudo-terminal made without one does) gets the
  // classic 80 × 24 instead of an empty screen.
  private width(): number {
    return this.out.columns || 80;
  }

  private height(): number {
    return this.out.rows || 24;
  }

  private fit(text: string): string[] {
    return screenRows(text, this.width());
  }

  /** Does the page need more rows than it has? */
  private scrolls(): boolean {
    return this.bodyRows(false) < this.lines.length;
  }

  /** The footer: where the view is when the page scrolls, then the keys, packed into rows. */
  private footerRows(position: string | undefined): string[] {
    const entries = position ? [position, ...this.keys, scrollKeys] : this.keys;
    const rows: string[] = [];
    for (const entry of entries) {
      const row = rows.at(-1);
      if (row !== undefined && displayWidth(`${row}  ${entry}`) < this.width())
        rows[rows.length - 1] = `${row}  ${entry}`;
      else rows.push(entry);
    }
    return rows;
  }

  /** Rows for the page's text: what header, footer and the blank line after each leave. */
  private bodyRows(scrolls: boolean): number {
    const n = this.lines.length;
    const footer = this.footerRows(scrolls ? `lines ${n}-${n} of ${n}` : undefined).length;
    return Math.max(3, this.height() - this.header.length - 1 - (footer > 0 ? footer + 1 : 0));
  }

  private rows(): number {
    return this.bodyRows(this.scrolls());
  }

  private readonly draw = (): void => {
    if (!this.open || this.lent) return;
    const scrolls = this.scrolls();
    const rows = this.bodyRows(scrolls);
    this.top = Math.max(0, Math.min(this.top, this.lines.length - rows));
    const body = this.lines.slice(this.top, this.top + rows);
    const last = this.top + body.length;
    const position = scrolls ? `lines ${this.top + 1}-${last} of ${this.lines.length}` : undefined;
    const footer = this.footerRows(position).map((row) => chalk.dim(row));
    const gap = this.height() - this.header.length - 1 - body.length - footer.length;
    const frame = [
      ...this.header,
      '',
      ...body,
      ...Array<string>(Math.max(0, gap)).fill(''),
      ...footer,
    ];
    // each row is written over the old one and the rest of it erased: no flicker of a cleared screen
    const rowsShown = frame.slice(0, this.height()).map((row) => `${row}\x1b[K`);
    this.out.write(`\x1b[H${rowsShown.join('\r\n')}\x1b[J`);
  };
}

const scrollKeys = `[${glyphs.upDown} PgUp PgDn Home End] scroll`;

/**
 * Text as the rows of a screen `width` columns wide: a line that fits stays whole (a command to
 * copy among them), a longer one is wrapped at spaces, and a word longer than a row cut into rows.
 */
export function screenRows(text: string, width: number): string[] {
  return text.split('\n').flatMap((line) => {
    if (displayWidth(line) <= width) return [line];
    return wrapText(line, width)
      .split('\n')
      .flatMap((row) => {
        const rows: string[] = [];
        let rest = row;
        while (displayWidth(rest) > width) {
          const n = Math.max(1, fitting(rest, width));
          rows.push(rest.slice(0, n));
          rest = rest.slice(n);
        }
        return [...rows, rest];
      });
  });
}
