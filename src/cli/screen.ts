import chalk from 'chalk';
import wrapAnsi from 'wrap-ansi';
import { glyphs } from './glyphs.js';
import { commandLine, wrapText } from './render.js';
import { onShutdown } from './shutdown.js';
import { displayWidth } from './width.js';

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
  private header: Row[] = [];
  /** The page's text so far, its commands marked (`asCommand`): what the rows are cut from. */
  private text = '';
  private lines: Row[] = [];
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

  private fit(text: string): Row[] {
    return layout(text, this.width());
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
    const footer = this.footerRows(position).map((row) => ({
      text: chalk.dim(row),
      joined: false,
    }));
    const gap = this.height() - this.header.length - 1 - body.length - footer.length;
    const blank = { text: '', joined: false };
    const frame = [
      ...this.header,
      blank,
      // the first row shown of a command scrolled partly out of view starts a row of its own
      ...body.map((row, i) => (i === 0 ? { ...row, joined: false } : row)),
      ...Array<Row>(Math.max(0, gap)).fill(blank),
      ...footer,
    ].slice(0, this.height());
    // Each row is written over the old one and the rest of it erased: no flicker of a cleared
    // screen. A row that fills the width leaves the cursor waiting on its last column (xterm's
    // pending wrap), where erasing would take that column's character too: it is not erased.
    // A joined row follows with no newline, so the terminal wraps the line itself, softly.
    const drawn = frame.map((row, i) => {
      const erase = displayWidth(row.text) < this.width() ? '\x1b[K' : '';
      const before = frame[i - 1];
      const wraps = row.joined && displayWidth(before.text) === this.width();
      return `${i === 0 || wraps ? '' : '\r\n'}${row.text}${erase}`;
    });
    this.out.write(`\x1b[H${drawn.join('')}\x1b[J`);
  };
}

const scrollKeys = `[${glyphs.upDown} PgUp PgDn Home End] scroll`;

/** One row of the screen; `joined` when it goes on from the row before it (a command to copy). */
interface Row {
  text: string;
  joined: boolean;
}

/**
 * Text as the rows of a screen `width` columns wide: a line that fits stays whole, a longer one
 * is wrapped at spaces, and a word longer than a row cut into rows. A command to copy (marked by
 * `asCommand`) is never broken: its rows are cut at the screen's edge and joined, to be drawn
 * back to back so that the terminal wraps it and copies it as the one line it is.
 */
function layout(text: string, width: number): Row[] {
  return text.split('\n').flatMap((marked) => {
    const { command, text: line } = commandLine(marked);
    if (displayWidth(line) <= width) return [{ text: line, joined: false }];
    const rows = command ? [line] : wrapText(line, width).split('\n');
    return rows.flatMap((row) =>
      cutRows(row, width).map((text, i) => ({ text, joined: command && i > 0 })),
    );
  });
}

/**
 * A row cut at the screen's edge into the rows it takes, each as wide as the screen but the last
 * (wrap-ansi measures wide characters and skips colour codes, closing and opening them again on
 * each row, so each row is drawn in its own colour).
 */
function cutRows(row: string, width: number): string[] {
  return wrapAnsi(row, width, { hard: true, wordWrap: false, trim: false }).split('\n');
}

/** The rows `text` takes on a screen `width` columns wide, as the pager lays them out. */
export function screenRows(text: string, width: number): string[] {
  return layout(text, width).map((row) => row.text);
}
