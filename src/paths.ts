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
