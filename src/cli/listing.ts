import { readFileSync } from 'node:fs';
import chalk from 'chalk';
import { diffLines } from 'diff';
import { type LessonInfo, listLessons } from '../course/catalog.js';

/**
 * The stage's real source file, as it will run, with the lines that are new since the previous
 * stage marked NEW BIT. Lines longer than the terminal wrap under their own indentation, so the
 * code stays readable in an 80-column window.
 */
export function stageListing(lesson: LessonInfo, width = listingWidth()): string {
  const lessons = listLessons();
  const index = lessons.indexOf(lesson);
  const source = readFileSync(lesson.stageSource, 'utf8');
  const before = index > 0 ? readFileSync(lessons[index - 1].stageSource, 'utf8') : '';
  const lines: string[] = [chalk.dim(`── src/server/stages/${lesson.name}.ts ──`)];
  const gutterWidth = 6; // "123 ▌ "
  let lineNo = 0;
  for (const part of diffLines(before, source)) {
    if (part.removed) continue;
    const isNew = part.added === true && index > 0;
    if (isNew) lines.push(`${' '.repeat(4)}${chalk.bgGreen.black(' NEW BIT ')}`);
    for (const text of part.value.replace(/\n$/, '').split('\n')) {
      lineNo += 1;
      const [head, ...rest] = wrapCode(text, width - gutterWidth);
      const mark = isNew ? chalk.green('▌') : ' ';
      const paint = isNew ? chalk.green : (s: string) => s;
      lines.push(`${chalk.dim(String(lineNo).padStart(3))} ${mark} ${paint(head)}`);
      for (const more of rest) lines.push(`    ${mark} ${paint(more)}`);
    }
  }
  return lines.join('\n');
}

function listingWidth(): number {
  return Math.max(60, process.stdout.columns ?? 100);
}

/**
 * Breaks a line of code at spaces to fit `width`. Code continues under its indentation plus two;
 * a comment continues as a comment, under where it began.
 */
function wrapCode(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = `${line.match(/^\s*/)?.[0] ?? ''}  `;
  const comment = line.indexOf('// ');
  const commentIndent = `${' '.repeat(Math.max(0, Math.min(comment, Math.floor(width / 2))))}// `;
  const out: string[] = [];
  let rest = line;
  let inComment = false;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= indent.length) cut = width; // one long word: cut it where it must be
    inComment ||= comment >= 0 && out.length === 0 && cut > comment;
    out.push(rest.slice(0, cut).trimEnd());
    rest = (inComment ? commentIndent : indent) + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}
