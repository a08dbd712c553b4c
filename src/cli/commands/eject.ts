import { resolve } from 'node:path';
import chalk from 'chalk';
import { findLesson, lessonNumber } from '../../course/catalog.js';
import { ejectedStage, writeEjected } from '../../server/eject.js';

/** `eject N [DIR]`: stage N as a project of the learner's own, never over their work. */
export function eject(n: string, dir: string | undefined, options: { force?: boolean }): void {
  const lesson = findLesson(lessonNumber(n));
  const folder = dir ?? lesson.name;
  const files = ejectedStage(lesson);
  writeEjected(files, resolve(folder), options.force === true);
  const shown = /\s/.test(folder) ? `"${folder}"` : folder;
  process.stdout.write(
    `Stage ${lesson.number} is in ${chalk.bold(folder)}: ${[...files.keys()].join(', ')}\n\n` +
      `  cd ${shown}\n  npm install\n  export SESSION_SECRET="$(openssl rand -hex 32)"\n  npm start\n\n` +
      `Then, in another terminal: ${chalk.bold(`npx session-tutor check ${lesson.number}`)}\n`,
  );
}
