import { diffLines, structuredPatch } from 'diff';
import { type LessonInfo, listLessons } from '../course/catalog.js';
import { linesOf, readText } from '../text.js';

/** How many unchanged lines the change view shows around each change. */
const context = 1;

/**
 * One row of a stage's code as the walkthrough shows it: a line of the file (`lineNo`), new since
 * the stage before (`+`) or not (` `); a line the stage before had and this one has not (`-`);
 * or `⋮` for unchanged lines left out.
 */
export interface CodeRow {
  sign: '+' | '-' | ' ' | '⋮';
  lineNo?: number;
  text: string;
}

export interface CodeView {
  title: string;
  rows: CodeRow[];
}

/** What changed in the lesson's stage since the stage before; for stage 1, its whole file. */
export function changeView(lesson: LessonInfo): CodeView {
  const { before, source, previous } = sources(lesson);
  if (!previous) return wholeView(lesson);
  const { hunks } = structuredPatch('', '', before, source, '', '', { context });
  const total = lineCount(source);
  const rows: CodeRow[] = [];
  const gap: CodeRow = { sign: '⋮', text: '' };
  hunks.forEach((hunk, i) => {
    if (i > 0 || hunk.newStart > 1) rows.push(gap);
    let lineNo = hunk.newStart;
    for (const line of hunk.lines) {
      const sign = line[0];
      const text = line.slice(1);
      if (sign === '-') rows.push({ sign, text });
      else if (sign === '+' || sign === ' ') rows.push({ sign, lineNo: lineNo++, text });
      // and "\ No newline at end of file" is left out
    }
  });
  const last = hunks.at(-1);
  if (!last) rows.push({ sign: '⋮', text: '(no change: the same code as the stage before)' });
  else if (last.newStart + last.newLines - 1 < total) rows.push(gap);
  return {
    title: `${fileName(lesson)}: what changed since stage ${previous.number} (the file has ${total} lines)`,
    rows,
  };
}

/** The stage's whole file, as it runs, with the lines new since the stage before marked `+`. */
export function wholeView(lesson: LessonInfo): CodeView {
  const { before, source, previous } = sources(lesson);
  const rows: CodeRow[] = [];
  let lineNo = 0;
  for (const part of diffLines(before, source)) {
    if (part.removed) continue;
    const sign = part.added && previous ? '+' : ' ';
    for (const text of linesOf(part.value)) rows.push({ sign, lineNo: ++lineNo, text });
  }
  return {
    title: previous
      ? `${fileName(lesson)}, the whole file (+ marks what changed since stage ${previous.number})`
      : fileName(lesson),
    rows,
  };
}

function sources(lesson: LessonInfo) {
  const lessons = listLessons();
  const previous = lessons[lessons.indexOf(lesson) - 1] as LessonInfo | undefined;
  return {
    previous,
    source: readText(lesson.stageSource),
    before: previous ? readText(previous.stageSource) : '',
  };
}

function fileName(lesson: LessonInfo): string {
  return `src/stage/stages/${lesson.name}.ts`;
}

function lineCount(source: string): number {
  return linesOf(source).length;
}
