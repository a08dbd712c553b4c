import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// This code sits one folder below the package root wherever it runs: as src/paths.ts from source
// (the tests), and in the bundle, whose entry points and chunks all lie flat in dist/ (see
// scripts/build.js). So the same relative URL finds the lessons and the stage sources in a clone
// and when installed.
export const packageRoot = fileURLToPath(new URL('../', import.meta.url));
export const lessonsDir = fileURLToPath(new URL('../lessons/', import.meta.url));
export const stageSourceDir = fileURLToPath(new URL('../src/stage/stages/', import.meta.url));
/** src/stage/: the helpers the stages import, shown from these very files (src/cli/helpers.ts). */
export const stageRoomDir = fileURLToPath(new URL('../src/stage/', import.meta.url));

/**
 * A JSON file `npm run build` writes in dist/ (scripts/build.js). Run from source before a build,
 * it is missing: then `whenMissing` stands in for it where given, and otherwise the error says so.
 */
export function readBuilt<T>(name: string, whenMissing?: T): T {
  const file = fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (whenMissing !== undefined) return whenMissing;
    throw new Error(`${file} is missing: run npm run build`);
  }
}
