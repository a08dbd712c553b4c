import { readdirSync } from 'node:fs';
import { UserError } from '../errors.js';
import { stageSourceDir } from '../paths.js';
import type { StageModule } from './stage.js';

export interface StageInfo {
  number: number;
  /** The file name without extension, such as `05-remember`: the stage's source and module. */
  name: string;
  sourceFile: string;
}

let found: StageInfo[] | undefined;

/** Every stage, found by file name in src/server/stages (NN-slug.ts), in order. */
export function listStages(): StageInfo[] {
  found ??= readdirSync(stageSourceDir)
    .filter((file) => /^\d\d-[a-z0-9-]+\.ts$/.test(file))
    .sort()
    .map((file) => ({
      number: Number(file.slice(0, 2)),
      name: file.replace(/\.ts$/, ''),
      sourceFile: `${stageSourceDir}${file}`,
    }));
  return found;
}

export function findStage(number: number): StageInfo {
  const stages = listStages();
  const stage = stages.find((s) => s.number === number);
  if (!stage) {
    throw new UserError(`There is no stage ${number}: stages are numbered 1 to ${stages.length}.`);
  }
  return stage;
}

export async function loadStage(stage: StageInfo): Promise<StageModule> {
  const url = new URL(`./stages/${stage.name}.js`, import.meta.url).href;
  return (await import(/* @vite-ignore */ url)) as StageModule;
}
