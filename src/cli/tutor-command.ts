import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { quotedPath } from '../course/not-run.js';
import { packageRoot } from '../paths.js';

const bin = 'session-tutor';
const ownBin = join(packageRoot, 'dist/session-tutor.cjs');

/**
 * How to run this very session-tutor from `folder`, as the learner should type it there:
 * - `npx session-tutor` where npx finds it: npm exec runs the bin of the project whose
 *   package.json is nearest (the clone itself), else one in a node_modules/.bin from the folder
 *   up (an installed tarball) (libnpmexec's path and localBin:
 *   https://www.npmjs.com/package/libnpmexec). Elsewhere, as in a folder with a package.json of
 *   its own (an ejected stage), npx would look the name up in the registry instead;
 * - `session-tutor` when that name on PATH is this one (a global install: npx would find it
 *   only under npm's configured prefix, the name on PATH works with any);
 * - else `node` and the absolute path of the bin, which runs from anywhere.
 */
export function tutorCommand(folder = process.cwd()): string {
  if (npxFinds(folder)) return `npx ${bin}`;
  if (onPath()) return bin;
  return `node ${quotedPath(ownBin)}`;
}

/** Every `npx session-tutor` in a lesson's or the tutor's text, as it runs from `folder`. */
export function runnableHere(text: string, folder = process.cwd()): string {
  const command = tutorCommand(folder);
  return command === `npx ${bin}` ? text : text.replaceAll(`npx ${bin} `, `${command} `);
}

function npxFinds(folder: string): boolean {
  const own = realpathSync(ownBin);
  let projectSeen = false;
  for (let dir = folder; ; dir = dirname(dir)) {
    // npm exec reads the bins of the project it runs in: the nearest folder with a package.json
    if (!projectSeen && existsSync(join(dir, 'package.json'))) {
      projectSeen = true;
      if (samePath(dir, packageRoot)) return true;
    }
    if (sameFile(join(dir, 'node_modules/.bin', bin), own)) return true;
    if (dirname(dir) === dir) return false;
  }
}

function onPath(): boolean {
  const own = realpathSync(ownBin);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !addedByNpx(dir))
    .some((dir) => {
      const candidate = join(dir, bin);
      if (!sameFile(candidate, own)) return false;
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/**
 * A folder npx put on PATH for this run only, not one of the learner's shell: a project's
 * node_modules/.bin, or npx's own cache (~/.npm/_npx/<hash>/node_modules/.bin), where npx links
 * even the clone's own package before running its bin.
 */
function addedByNpx(dir: string): boolean {
  const parts = dir.split(/[\\/]/);
  return parts.includes('_npx') || (parts.at(-1) === '.bin' && parts.at(-2) === 'node_modules');
}

function sameFile(path: string, real: string): boolean {
  try {
    return realpathSync(path) === real;
  } catch {
    return false;
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
