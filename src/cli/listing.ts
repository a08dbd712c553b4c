import chalk from 'chalk';
import type { LessonInfo } from '../course/catalog.js';
import { type CodeView, changeView, wholeView } from './change.js';
import { helperExcerpt, helperViews } from './helpers.js';
import { wrapText } from './render.js';
import { displayWidth, fitting, pageWidth } from './width.js';

const gutterWidth = 6; // "123 + "

/** The lesson's stage as the walkthrough shows it first: what changed (src/cli/change.ts). */
export function stageChange(lesson: LessonInfo, width = pageWidth()): string {
  return drawCode(changeView(lesson), width);
}

/**
 * The stage's real source file, whole, as it will run, with the lines new since the previous
 * stage marked. Lines longer than the page wrap under their own indentation, so the code stays
 * readable in an 80-column window.
 */
export function stageListing(lesson: LessonInfo, width = pageWidth()): string {
  return drawCode(wholeView(lesson), width);
}

/** The helpers the stage imports from src/stage/, each declaration as it runs (src/cli/helpers.ts). */
export function stageHelpers(lesson: LessonInfo, width = pageWidth()): string {
  return helperViews(lesson)
    .map((view) => drawCode(view, width))
    .join('\n\n');
}

/** A directive `.helper NAME TEXT`: the lines of the helper NAME that hold TEXT. */
export function helperLines(lesson: LessonInfo, directive: string, width = pageWidth()): string {
  const [, name, text] = directive.match(/^\.helper (\S+) (.+)$/) ?? [];
  if (!name) throw new Error(`"${directive}" names no helper and no text: .helper NAME TEXT`);
  return drawCode(helperExcerpt(lesson, name, text), width);
}

function drawCode(view: CodeView, width: number): string {
  const lines = [chalk.dim(wrapText(`── ${view.title} ──`, width))];
  for (const row of view.rows) {
    if (row.sign === '⋮') lines.push(chalk.dim(`  ⋮${row.text ? `  ${row.text}` : ''}`));
    else {
      const paint = row.sign === '+' ? chalk.green : row.sign === '-' ? chalk.red : plain;
      const mark = row.sign === ' ' ? ' ' : paint(row.sign);
      lines.push(...codeLines(String(row.lineNo ?? ''), mark, row.text, paint, width));
    }
  }
  return lines.join('\n');
}

const plain = (text: string) => text;

/** One line of code behind its gutter (number and mark), wrapped to `width` if it must be. */
function codeLines(
  lineNo: string,
  mark: string,
  text: string,
  paint: (s: string) => string,
  width: number,
): string[] {
  const [head, ...rest] = wrapCode(text, width - gutterWidth);
  return [
    `${chalk.dim(lineNo.padStart(3))} ${mark} ${paint(head)}`,
    ...rest.map((more) => `    ${mark} ${paint(more)}`),
  ];
}

/**
 * Breaks a line of code at spaces to fit `width` display columns. Code continues under its
 * indentation plus two; a comment continues as a comment, under where it began.
 */
function wrapCode(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const indent = `${line.slice(0, line.length - line.trimStart().length)}  `;
  const comment = line.indexOf('// ');
  const commentIndent = `${' '.repeat(Math.max(0, Math.min(comment, Math.floor(width / 2))))}// `;
  const out: string[] = [];
  let rest = line;
  let inComment = false;
  while (displayWidth(rest) > width) {
    const fits = fitting(rest, width);
    let cut = rest.lastIndexOf(' ', fits);
    if (cut <= indent.length) cut = fits; // one long word: cut it where it must be
    inComment ||= comment >= 0 && out.length === 0 && cut > comment;
    out.push(rest.slice(0, cut).trimEnd());
    rest = (inComment ? commentIndent : indent) + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}
