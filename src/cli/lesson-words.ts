import { join } from 'node:path';
import type { LessonInfo } from '../course/catalog.js';
import { readText } from '../text.js';
import { changeView } from './change.js';

/**
 * The words a lesson asks the learner to read: its text (lesson.md without directives and
 * Markdown marks) and the change to its stage's code, as the walkthrough shows it. Counted by the
 * build for every lesson (scripts/build.js writes dist/reading-words.json), so that `list`
 * (reading-times.ts) need not load the diff behind the change view. A word is a
 * run of characters between spaces with a letter or digit in it. The demos' diagrams are left
 * out: they run live and are looked at, not read word by word.
 */
export function lessonWords(lesson: LessonInfo): number {
  const text = readText(join(lesson.dir, 'lesson.md')).replace(/^(---|\.code|\.demo)$/gm, '');
  const { title, rows } = changeView(lesson);
  const code = rows.map((row) => `${row.lineNo ?? ''} ${row.sign} ${row.text}`);
  return words(text) + words(title) + words(code.join('\n'));
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}
