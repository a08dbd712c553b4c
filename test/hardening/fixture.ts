import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Lesson 2's demo, replaced: it behaves as FIXTURE_DEMO says, so a test can catch the CLI
// mid-demo (a long ctx.wait) or plant a fault there. Lesson 1 stays real, so progress exists.
const plantedDemo = `
export async function demo(ctx) {
  const fault = process.env.FIXTURE_DEMO;
  if (fault === 'reject') throw new Error('a fault planted in the demo by the test');
  if (fault === 'uncaught') {
    setTimeout(() => {
      throw new Error('a fault planted outside any promise by the test');
    }, 100);
  }
  if (fault === 'visit') {
    // a pause in which the test closes the stage from outside, then a visit to it
    await ctx.wait(2000, 'a short pause planted by the test');
    const [hop] = await ctx.visitor('a planted visitor', 'goldfish').get(ctx.stage.probeUrl + '/');
    const outcome = 'answered ' + hop.status;
    return [{ label: 'a planted visit', outcome, expected: 'answered 200', evidence: outcome }];
  }
  await ctx.wait(60_000, 'a pause planted by the test');
  return [];
}
`;

let copy: string | undefined;

/**
 * A copy of the built package whose lesson 2 demo is planted (see above), made once per test
 * file and removed when the file's tests end. Returns the path of its CLI entry point. The real
 * dist/ is never touched.
 */
export function plantedCli(): string {
  if (!copy) {
    const dir = mkdtempSync(join(tmpdir(), 'session-tutor-planted-'));
    for (const part of ['dist', 'lessons', 'src/stage', 'package.json']) {
      cpSync(join(root, part), join(dir, part), { recursive: true });
    }
    // the bundle says which of its files holds lesson 2's demo module
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'dist', manifest['src/course/02-secret.ts']), plantedDemo);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    copy = dir;
  }
  return join(copy, 'dist/cli.js');
}
