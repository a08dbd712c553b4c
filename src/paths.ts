import { fileURLToPath } from 'node:url';

// This file sits one folder below the package root both as src/paths.ts and as dist/paths.js,
// so the same relative URL finds the lessons and the stage sources in a clone and when installed.
export const packageRoot = fileURLToPath(new URL('../', import.meta.url));
export const lessonsDir = fileURLToPath(new URL('../lessons/', import.meta.url));
export const stageSourceDir = fileURLToPath(new URL('../src/server/stages/', import.meta.url));
