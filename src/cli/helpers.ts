import { join, relative, sep } from 'node:path';
import type { LessonInfo } from '../course/catalog.js';
import { readBuilt, stageRoomDir } from '../paths.js';
import { linesOf, readText } from '../text.js';
import type { CodeRow, CodeView } from './change.js';

/**
 * A helper a stage imports from src/stage/, as `npm run build` records it in
 * dist/stage-helpers.json (scripts/stage-helpers.js, which reads the sources with TypeScript's
 * parser): the lines of `file` that declare `name`, the comment above included, each range its
 * first and last line from 1. Types are left out: they do nothing at run time.
 */
interface Helper {
  name: string;
  file: string;
  /** A function declaration, named `name()` */
  call: boolean;
  lines: [number, number][];
}

let recorded: Record<string, Helper[]> | undefined;

/** The helpers the lesson's stage imports, in the order it imports them. */
function helpersOf(lesson: LessonInfo): Helper[] {
  recorded ??= readBuilt<Record<string, Helper[]>>('stage-helpers.json');
  const stage = relative(stageRoomDir, lesson.stageSource).split(sep).join('/');
  const helpers = recorded[stage];
  if (!helpers) throw new Error(`dist/stage-helpers.json has no ${stage}: run npm run build`);
  return helpers;
}

/**
 * The helpers the lesson's stage imports from src/stage/, read from the files that run: for each
 * file, the declaration of each name the stage uses, with the comment above it.
 */
export function helperViews(lesson: LessonInfo): CodeView[] {
  const byFile = new Map<string, Helper[]>();
  for (const helper of helpersOf(lesson))
    byFile.set(helper.file, [...(byFile.get(helper.file) ?? []), helper]);
  return [...byFile].map(([file, helpers]) => {
    const lines = linesOf(readText(join(stageRoomDir, file)));
    const shown = new Set(helpers.flatMap(lineIndexes));
    const names = helpers.map((h) => h.name).join(', ');
    return { title: `src/stage/${file}: ${names}`, rows: rowsOf(lines, shown) };
  });
}

/**
 * The lines of the helper `name` (imported by the lesson's stage) that hold `text`: where the
 * lesson's point lives in a helper, such as the escaping of the title in page().
 */
export function helperExcerpt(lesson: LessonInfo, name: string, text: string): CodeView {
  const helper = helpersOf(lesson).find((h) => h.name === name);
  if (!helper) throw new Error(`stage ${lesson.number} imports no helper named ${name}`);
  const lines = linesOf(readText(join(stageRoomDir, helper.file)));
  const shown = lineIndexes(helper).filter((at) => lines[at]?.includes(text));
  if (shown.length === 0) throw new Error(`${name} in ${helper.file} has no line with ${text}`);
  const call = helper.call ? `${name}()` : name;
  return { title: `src/stage/${helper.file}, in ${call}`, rows: rowsOf(lines, new Set(shown)) };
}

/** Whether the lesson's stage calls helpers of its own, which `i` shows beside its code. */
export function hasHelpers(lesson: LessonInfo): boolean {
  return helpersOf(lesson).length > 0;
}

/** The indexes (from 0) of the lines that declare the helper. */
function lineIndexes({ lines }: Helper): number[] {
  return lines.flatMap(([first, last]) =>
    Array.from({ length: last - first + 1 }, (_, i) => first - 1 + i),
  );
}

/** The shown lines with their numbers, and `⋮` for each run of lines left out. */
function rowsOf(lines: string[], shown: Set<number>): CodeRow[] {
  const rows: CodeRow[] = [];
  lines.forEach((text, at) => {
    if (shown.has(at)) rows.push({ sign: ' ', lineNo: at + 1, text });
    else if (rows.at(-1)?.sign !== '⋮') rows.push({ sign: '⋮', text: '' });
  });
  return rows;
}
