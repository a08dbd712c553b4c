import { resolve } from 'node:path';
import chalk from 'chalk';
import type { LessonInfo } from '../../course/catalog.js';
import { ejectedStage, writeEjected } from '../eject/project.js';

/** `eject N [DIR]`: stage N as a project of the learner's own, never over their work. */
export function eject(
  lesson: LessonInfo,
  dir: string | undefined,
  options: { force?: boolean },
): void {
  const folder = dir ?? lesson.name;
  const files = ejectedStage(lesson);
  writeEjected(files, resolve(folder), options.force === true);
  const shown = folder.includes(' ') ? `"${folder}"` : folder;
  process.stdout.write(
    `Stage ${lesson.number} is in ${chalk.bold(folder)}: ${[...files.keys()].join(', ')}\n\n` +
      `  cd ${shown}\n  npm install\n  npm start\n\n` +
      `README.md says how to run it, with the commands for bash, PowerShell and cmd.\n` +
      `Then, in another terminal: ${chalk.bold(`npx session-tutor check ${lesson.number}`)}\n`,
  );
}
