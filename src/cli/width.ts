import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';

// Everything that measures the terminal or text on it, in one place.

/**
 * The width pages, diagrams and code are drawn to: the terminal's, within reason. Output to a pipe
 * has no terminal, and a terminal may report a width of 0; COLUMNS, when set, stands in for it there.
 */
export function pageWidth(): number {
  return widthFor(process.stdout.columns || Number(process.env.COLUMNS) || 80);
}

/** The width pages are drawn to on a terminal `columns` wide. */
export function widthFor(columns: number): number {
  return Math.max(50, Math.min(columns, 90) - 2);
}

// Printable ASCII is one column a character: most text is, and it needs no Unicode tables.
const ascii = /^[\x20-\x7e]*$/;

/**
 * The marks the tutor draws its own lines with (src/cli/glyphs.ts, the header's ·), at the widths
 * string-width gives them. None joins a neighbour into one grapheme, so a line of these and
 * printable ASCII is measured without string-width, whose first measure starts ICU's Unicode
 * segmentation: tens of milliseconds before the first page of `start` (test/width.test.ts holds
 * the table to string-width).
 */
export const tutorMarks: ReadonlyMap<string, number> = new Map([
  ['·', 1],
  ['…', 1],
  ['✔', 2],
  ['✘', 1],
  ['⚠', 2],
  ['▶', 2],
  ['◀', 2],
  ['■', 1],
  ['□', 1],
  ['↑', 1],
  ['↓', 1],
]);

/** The columns `text` takes on a terminal: a wide character (CJK, most emoji) takes two. */
export function displayWidth(text: string): number {
  if (ascii.test(text)) return text.length;
  const plain = text.includes('\u001b') ? stripVTControlCharacters(text) : text;
  let width = 0;
  for (const char of plain) {
    const columns = char >= ' ' && char <= '~' ? 1 : tutorMarks.get(char);
    if (columns === undefined) return stringWidth(plain);
    width += columns;
  }
  return width;
}

let graphemes: Intl.Segmenter | undefined;

/** How many UTF-16 units of `text` fit in `columns` terminal columns. */
export function fitting(text: string, columns: number): number {
  if (ascii.test(text)) return Math.min(text.length, Math.max(0, columns));
  graphemes ??= new Intl.Segmenter();
  let used = 0;
  let units = 0;
  for (const { segment } of graphemes.segment(text)) {
    used += stringWidth(segment);
    if (used > columns) break;
    units += segment.length;
  }
  return units;
}

/** `text` cut to `columns` display columns, with … where it was cut. */
export function cut(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  return `${text.slice(0, fitting(text, columns - 1))}…`;
}
