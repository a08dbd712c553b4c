import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import chalk from 'chalk';
import { diffLines } from 'diff';
import { listStages } from '../server/stages.js';

/**
 * The stage's real source file, as it will run, with the lines that are new since
 * the previous stage marked NEW BIT.
 */
export function stageListing(number: number): string {
  const stages = listStages();
  const index = stages.findIndex((s) => s.number === number);
  const stage = stages[index];
  const source = readFileSync(stage.sourceFile, 'utf8');
  const before = index > 0 ? readFileSync(stages[index - 1].sourceFile, 'utf8') : '';
  const lines: string[] = [chalk.dim(`── src/server/stages/${basename(stage.sourceFile)} ──`)];
  let lineNo = 0;
  for (const part of diffLines(before, source)) {
    if (part.removed) continue;
    let first = true;
    for (const text of part.value.replace(/\n$/, '').split('\n')) {
      lineNo += 1;
      const gutter = chalk.dim(String(lineNo).padStart(3));
      if (part.added && index > 0) {
        lines.push(
          `${gutter} ${chalk.green('▌')} ${chalk.green(text)}${first ? chalk.bgGreen.black(' NEW BIT ') : ''}`,
        );
        first = false;
      } else {
        lines.push(`${gutter}   ${text}`);
      }
    }
  }
  return lines.join('\n');
}
