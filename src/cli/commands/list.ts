import chalk from 'chalk';
import { listLessons } from '../../course/catalog.js';
import { glyphs } from '../glyphs.js';
import { ProgressFile } from '../progress.js';
import { lessonWordCounts, minutesFor, wordsPerMinute } from '../reading-times.js';
import { tutorCommand } from '../tutor-command.js';

export function list(options: { json?: boolean }): void {
  const progress = new ProgressFile();
  const lessons = listLessons();
  const counts = lessonWordCounts();
  const words = lessons.map((l) => counts[l.name] ?? 0);
  const rows = lessons.map((l, i) => ({
    number: l.number,
    slug: l.slug,
    title: l.title,
    done: progress.isDone(l.name),
    /** The lesson's exercise passed (`exercise N`). */
    exercise: progress.exerciseDone(l.name),
    /** Estimated reading time, demos included: see readingWords in src/cli/lesson-words.ts. */
    minutes: minutesFor(words[i]),
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const current = rows.find((r) => !r.done);
  const titleWidth = Math.max(...rows.map((r) => r.title.length));
  for (const row of rows) {
    const mark = row.done
      ? chalk.green(glyphs.pass)
      : row === current
        ? chalk.yellow(glyphs.current)
        : ' ';
    const time = chalk.dim(`${String(row.minutes).padStart(2)} min`);
    const exercise = row.exercise ? `  ${chalk.green('exercise done')}` : '';
    process.stdout.write(
      `${mark} ${String(row.number).padStart(2)}  ${row.title.padEnd(titleWidth)}  ${time}${exercise}\n`,
    );
  }
  const done = rows.filter((r) => r.done).length;
  const total = minutesFor(words.reduce((a, b) => a + b, 0));
  const tutor = tutorCommand();
  // short lines, and the command on a line of its own: it fits 60 columns and copies whole
  process.stdout.write(
    chalk.dim(
      `\nAbout ${total} minutes of reading in all, demos included,\nat ${wordsPerMinute} words a minute.\n${
        current
          ? `${done} of ${rows.length} done. Lesson ${current.number} is next:\n  ${tutor} start\n`
          : `All ${rows.length} lessons done. Open any of them again with:\n  ${tutor} lesson N\n`
      }`,
    ),
  );
}
