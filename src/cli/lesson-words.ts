import { join } from 'node:path';
import { directiveLine, type LessonInfo } from '../course/catalog.js';
import { packageRoot } from '../paths.js';
import { readText } from '../text.js';
import { changeView } from './change.js';

/**
 * The words a lesson shows the learner, demos included: `node bench/words.js` counts them on the
 * screen of the unattended course at 100 columns and keeps them in bench/words-on-screen.json.
 * A lesson it has not measured yet counts its text and code change (lessonWords). The build
 * writes these counts to dist/reading-words.json for `list`.
 */
export function readingWords(lesson: LessonInfo): number {
  const onScreen = JSON.parse(
    readText(join(packageRoot, 'bench', 'words-on-screen.json')),
  ) as Record<string, number>;
  return onScreen[lesson.name] ?? lessonWords(lesson);
}

/**
 * The words of a lesson's text (lesson.md without directives and Markdown marks) and of the
 * change to its stage's code, as the walkthrough shows it. A word is a run of characters between
 * spaces with a letter or digit in it.
 */
export function lessonWords(lesson: LessonInfo): number {
  const text = readText(join(lesson.dir, 'lesson.md'))
    .replace(/^---$/gm, '')
    .replace(new RegExp(directiveLine.source, 'gm'), '');
  const { title, rows } = changeView(lesson);
  const code = rows.map((row) => `${row.lineNo ?? ''} ${row.sign} ${row.text}`);
  return words(text) + words(title) + words(code.join('\n'));
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}
