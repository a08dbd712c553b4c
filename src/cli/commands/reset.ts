import { createInterface } from 'node:readline/promises';
import { ProgressFile } from '../progress.js';
import { tutorCommand } from '../tutor-command.js';

export async function reset(options: { yes?: boolean }): Promise<void> {
  const progress = new ProgressFile();
  if (!options.yes && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(
      `Forget that you finished ${progress.done.length} lesson(s)? [y/N] `,
    );
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('Kept your progress.\n');
      return;
    }
  }
  progress.reset();
  process.stdout.write(
    `Progress forgotten. To begin again at lesson 1:\n  ${tutorCommand()} start\n`,
  );
}
