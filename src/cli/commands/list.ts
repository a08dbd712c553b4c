import chalk from 'chalk';
import { listLessons } from '../../course/catalog.js';
import { ProgressFile } from '../progress.js';

export function list(options: { json?: boolean }): void {
  const progress = new ProgressFile();
  const lessons = listLessons();
  const rows = lessons.map((l) => ({
    number: l.number,
    slug: l.slug,
    title: l.title,
    done: progress.isDone(l.name),
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const current = rows.find((r) => !r.done);
  for (const row of rows) {
    const mark = row.done ? chalk.green('✔') : row === current ? chalk.yellow('▶') : ' ';
    process.stdout.write(`${mark} ${String(row.number).padStart(2)}  ${row.title}\n`);
  }
  const done = rows.filter((r) => r.done).length;
  process.stdout.write(
    chalk.dim(
      current
        ? `\n${done} of ${rows.length} done. \`session-tutor start\` continues at lesson ${current.number}.\n`
        : `\nAll ${rows.length} lessons done. \`session-tutor lesson N\` opens any of them again.\n`,
    ),
  );
}
