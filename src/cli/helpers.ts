import { join } from 'node:path';
import type { LessonInfo } from '../course/catalog.js';
import { stageRoomDir } from '../paths.js';
import { linesOf, readText } from '../text.js';
import type { CodeRow, CodeView } from './change.js';

/** A name a stage imports from a helper of its own (`../name.js` is src/stage/name.ts). */
interface Imported {
  name: string;
  file: string;
}

/**
 * The helpers the lesson's stage imports from src/stage/, read from the files that run: for each
 * file, the declaration of each name the stage uses, with the comment above it. Types are left
 * out: they do nothing at run time.
 */
export function helperViews(lesson: LessonInfo): CodeView[] {
  const byFile = new Map<string, string[]>();
  for (const { name, file } of imports(lesson))
    byFile.set(file, [...(byFile.get(file) ?? []), name]);
  return [...byFile].map(([file, names]) => {
    const lines = linesOf(readText(join(stageRoomDir, file)));
    const shown = new Set(names.flatMap((name) => declaration(lines, name, file)));
    return { title: `src/stage/${file}: ${names.join(', ')}`, rows: rowsOf(lines, shown) };
  });
}

/**
 * The lines of the helper `name` (imported by the lesson's stage) that hold `text`: where the
 * lesson's point lives in a helper, such as the escaping of the title in page().
 */
export function helperExcerpt(lesson: LessonInfo, name: string, text: string): CodeView {
  const found = imports(lesson).find((i) => i.name === name);
  if (!found) throw new Error(`stage ${lesson.number} imports no helper named ${name}`);
  const lines = linesOf(readText(join(stageRoomDir, found.file)));
  const shown = declaration(lines, name, found.file).filter((at) => lines[at].includes(text));
  if (shown.length === 0) throw new Error(`${name} in ${found.file} has no line with ${text}`);
  const call = isFunction(lines, name) ? `${name}()` : name;
  return { title: `src/stage/${found.file}, in ${call}`, rows: rowsOf(lines, new Set(shown)) };
}

/** Whether the lesson's stage calls helpers of its own, which `i` shows beside its code. */
export function hasHelpers(lesson: LessonInfo): boolean {
  return imports(lesson).length > 0;
}

function isFunction(lines: string[], name: string): boolean {
  return lines.some((line) => new RegExp(`^export (async )?function ${name}\\b`).test(line));
}

/** The names the stage imports, as values, from its own helpers in src/stage/. */
function imports(lesson: LessonInfo): Imported[] {
  const source = readText(lesson.stageSource);
  const found: Imported[] = [];
  for (const match of source.matchAll(
    /^import (type )?\{([^}]*)\} from '\.\.\/([\w/-]+)\.js';$/gm,
  )) {
    const [, onlyTypes, names, module] = match;
    if (onlyTypes) continue;
    for (const name of names.split(',').map((n) => n.trim())) {
      if (name !== '' && !name.startsWith('type ')) found.push({ name, file: `${module}.ts` });
    }
  }
  return found;
}

/**
 * The indexes of the lines that declare `name` in a helper file: the comment above it and the
 * declaration to its end (where its brackets close); for a name the file passes on from a package,
 * the lines that import and export it.
 */
function declaration(lines: string[], name: string, file: string): number[] {
  const start = lines.findIndex((line) =>
    new RegExp(`^export (async )?(function|const|class|let) ${name}\\b`).test(line),
  );
  if (start === -1) {
    const passedOn = lines.flatMap((line, at) =>
      /^(import|export) /.test(line) && new RegExp(`\\b${name}\\b`).test(line) ? [at] : [],
    );
    if (passedOn.length === 0) throw new Error(`src/stage/${file} does not declare ${name}`);
    return passedOn;
  }
  let first = start;
  while (first > 0 && /^\s*(\/\*\*|\*|\/\/)/.test(lines[first - 1])) first--;
  let last = start;
  let depth = 0;
  for (; last < lines.length; last++) {
    for (const char of lines[last]) {
      if ('{(['.includes(char)) depth++;
      else if ('})]'.includes(char)) depth--;
    }
    if (depth === 0) break;
  }
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
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
