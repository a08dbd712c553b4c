import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import chalk from 'chalk';
import type { LessonInfo } from '../../course/catalog.js';
import { learnerHome } from '../../home.js';
import { packageRoot } from '../../paths.js';
import { ejectedStage, writeEjected } from '../eject/project.js';
import { runnableHere, tutorCommand } from '../tutor-command.js';

/** `eject N [DIR]`: stage N as a project of the learner's own, never over their work. */
export function eject(
  lesson: LessonInfo,
  dir: string | undefined,
  options: { force?: boolean },
): void {
  const folder = resolve(dir ?? defaultFolder(lesson.name));
  const written = ejectInto(lesson, folder, options.force === true);
  const shown = /\s/.test(folder) ? `"${folder}"` : folder;
  process.stdout.write(
    `Stage ${lesson.number} is in ${chalk.bold(folder)}: ${written.join(', ')}\n\n` +
      `  cd ${shown}\n  npm install\n  npm start\n\n` +
      `README.md says how to run it, with the commands for bash, PowerShell and cmd.\n` +
      `Then, in another terminal, in the same folder: ${chalk.bold(`${tutorCommand(folder)} check ${lesson.number}`)}\n`,
  );
}

/**
 * Writes stage N as a project into `folder` (refusing one that holds something, unless `force`)
 * and returns the paths it wrote. The one place the tutor ejects a stage: `eject` and the
 * exercises both come here.
 */
export function ejectInto(stage: LessonInfo, folder: string, force = false): string[] {
  const files = ejectedStage(stage);
  writeEjected(files, folder, force);
  // the README's commands run from the ejected folder, where npx may not find the tutor
  const readme = join(folder, 'README.md');
  writeFileSync(readme, runnableHere(readFileSync(readme, 'utf8'), folder));
  return [...files.keys()];
}

/**
 * `./NN-slug`, unless that is inside session-tutor's own folder (a clone): then a folder of the
 * learner's own, so their work never shows up as untracked files of the tutor.
 */
function defaultFolder(name: string): string {
  const inside = relative(packageRoot, process.cwd());
  const insideTutor = inside === '' || !(inside.startsWith('..') || resolve(inside) === inside);
  return insideTutor ? join(learnerHome(), `stage-${name}`) : name;
}
