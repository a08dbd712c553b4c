import { readFileSync } from 'node:fs';
import chalk from 'chalk';
import { diffLines, structuredPatch } from 'diff';
import stringWidth from 'string-width';
import { type LessonInfo, listLessons } from '../course/catalog.js';
import { fitting, pageWidth } from './render.js';

/** How many unchanged lines the change view shows around each change. */
const context = 3;
const gutterWidth = 6; // "123 + "

/** The stage shown as the lesson shows it first: only what changed, or the whole file of stage 1. */
export function stageChange(lesson: LessonInfo, width = pageWidth()): string {
  const { before, source, previous } = sources(lesson);
  if (!previous) return stageListing(lesson, width);
  const { hunks } = structuredPatch('', '', before, source, '', '', { context });
  const total = lineCount(source);
  const lines = [
    chalk.dim(
      `── ${fileName(lesson)}: what changed since stage ${previous.number} (the file has ${total} lines) ──`,
    ),
  ];
  hunks.forEach((hunk, i) => {
    if (i > 0 || hunk.newStart > 1) lines.push(chalk.dim('  ⋮'));
    let lineNo = hunk.newStart;
    for (const line of hunk.lines) {
      const [sign, text] = [line[0], line.slice(1)];
      if (sign === '\\') continue; // "\ No newline at end of file"
      if (sign === '-') lines.push(...codeLines('', chalk.red('-'), text, chalk.red, width));
      else {
        const paint = sign === '+' ? chalk.green : (s: string) => s;
        const mark = sign === '+' ? chalk.green('+') : ' ';
        lines.push(...codeLines(String(lineNo), mark, text, paint, width));
        lineNo += 1;
      }
    }
  });
  const last = hunks.at(-1);
  if (!last) lines.push(chalk.dim('  (no change: the same code as the stage before)'));
  else if (last.newStart + last.newLines - 1 < total) lines.push(chalk.dim('  ⋮'));
  return lines.join('\n');
}

/**
 * The stage's real source file, whole, as it will run, with the lines new since the previous
 * stage marked. Lines longer than the page wrap under their own indentation, so the code stays
 * readable in an 80-column window.
 */
export function stageListing(lesson: LessonInfo, width = pageWidth()): string {
  const { before, source, previous } = sources(lesson);
  const lines: string[] = [
    chalk.dim(
      previous
        ? `── ${fileName(lesson)}, the whole file (+ marks what changed since stage ${previous.number}) ──`
        : `── ${fileName(lesson)} ──`,
    ),
  ];
  let lineNo = 0;
  for (const part of diffLines(before, source)) {
    if (part.removed) continue;
    const isNew = part.added === true && previous !== undefined;
    const mark = isNew ? chalk.green('+') : ' ';
    const paint = isNew ? chalk.green : (s: string) => s;
    for (const text of part.value.replace(/\n$/, '').split('\n')) {
      lineNo += 1;
      lines.push(...codeLines(String(lineNo), mark, text, paint, width));
    }
  }
  return lines.join('\n');
}

function sources(lesson: LessonInfo) {
  const lessons = listLessons();
  const previous = lessons[lessons.indexOf(lesson) - 1] as LessonInfo | undefined;
  return {
    previous,
    source: readFileSync(lesson.stageSource, 'utf8'),
    before: previous ? readFileSync(previous.stageSource, 'utf8') : '',
  };
}

function fileName(lesson: LessonInfo): string {
  return `src/server/stages/${lesson.name}.ts`;
}

function lineCount(source: string): number {
  return source.replace(/\n$/, '').split('\n').length;
}

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
  if (stringWidth(line) <= width) return [line];
  const indent = `${line.match(/^\s*/)?.[0] ?? ''}  `;
  const comment = line.indexOf('// ');
  const commentIndent = `${' '.repeat(Math.max(0, Math.min(comment, Math.floor(width / 2))))}// `;
  const out: string[] = [];
  let rest = line;
  let inComment = false;
  while (stringWidth(rest) > width) {
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
