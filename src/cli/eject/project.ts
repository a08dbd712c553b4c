import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import nodePath, { type PlatformPath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import { secretGenerator } from '../../stage/secret.js';

// Written by `npm run build` (scripts/javascript.js): the room, src/stage/, as JavaScript with the
// same lines and comments, and imports.json, what each of its files imports. Its paths, like every
// path in an ejected project's code, are POSIX: a path that names a file to import is a URL.
const room = new URL('dist/javascript/', pathToFileURL(packageRoot));
const templates = nodePath.join(packageRoot, 'src', 'cli', 'eject', 'templates');

/** What the build says each file of the room imports: other room files, and packages. */
type Imports = Record<string, { files: string[]; packages: string[] }>;

/** The files of an ejected stage: POSIX path inside the folder → contents. */
export type EjectedFiles = Map<string, string>;

/**
 * Stage N as a project of its own: a copy of the room that holds the stage's file and exactly the
 * room's files it imports, in the same places, so no import changes; server.js, written from a
 * template, starts it as `session-tutor serve N` does; package.json lists every package those
 * files import, at the versions the tutor is built with, and starts it with `node --watch`.
 */
export function ejectedStage(stage: {
  number: number;
  name: string;
  choosesStore?: true;
}): EjectedFiles {
  const manifest = new URL('imports.json', room);
  if (!existsSync(manifest)) {
    throw new Error(`${manifest.pathname} is missing: run npm run build`);
  }
  const imports = JSON.parse(readFileSync(manifest, 'utf8')) as Imports;
  const stageFile = `stages/${stage.name}.js`;
  // what server.js imports: standalone.js, the stage, and the store chooser for a stage that has one
  const roots = ['standalone.js', stageFile, ...(stage.choosesStore ? ['stores/choose.js'] : [])];
  /** `files` and every room file they import, and the packages those import. */
  const closure = (
    files: string[],
    found = { files: new Set<string>(), packages: new Set<string>() },
  ) => {
    for (const file of files) {
      if (found.files.has(file)) continue;
      found.files.add(file);
      for (const pkg of imports[file]?.packages ?? []) found.packages.add(pkg);
      closure(imports[file]?.files ?? [], found);
    }
    return found;
  };
  const copied = closure(roots);
  const stageNeeds = closure([stageFile]);
  // a stage without express-session (stage 1) signs no cookie, so it needs no secret
  const signs = stageNeeds.packages.has('express-session');
  const values = {
    number: String(stage.number),
    stageFile,
    signs: String(signs),
    generator: secretGenerator,
    formNote: stageNeeds.files.has('stages/form.html')
      ? '; `stages/form.html` is the body of the page with the name form'
      : '',
  };
  const files: EjectedFiles = new Map();
  for (const file of [...copied.files].sort())
    files.set(file, readFileSync(new URL(file, room), 'utf8'));
  files.set('server.js', fill(stage.choosesStore ? 'server-store.js' : 'server.js', values));
  files.set('package.json', packageJson(stage, copied.packages));
  files.set(
    'README.md',
    fill('README.md', {
      ...values,
      secret: signs ? fill('README-secret.md', values) : '',
      store: stage.choosesStore ? fill('README-store.md', values) : '',
    }),
  );
  return files;
}

/** A template file with each `{{key}}` replaced by its value. */
function fill(template: string, values: Record<string, string>): string {
  let text = readFileSync(nodePath.join(templates, `${template}.template`), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`{{${key}}}`, value);
  return text;
}

/** Where a file of the project goes inside `dir`, in the platform's own form of path. */
export function placeOf(dir: string, file: string, path: PlatformPath = nodePath): string {
  return path.join(dir, ...file.split('/'));
}

/** Writes the files into `dir`, refusing a folder that already holds something unless `force`. */
export function writeEjected(files: EjectedFiles, dir: string, force: boolean): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(
      `${dir} is a file, not a folder: pick a folder for the project, such as ./my-stage.`,
    );
  }
  if (existsSync(dir) && readdirSync(dir).length > 0 && !force) {
    throw new UserError(
      `${dir} is not empty, and eject never overwrites your work: pick another folder, or add --force to overwrite the files eject writes there.`,
    );
  }
  for (const [file, contents] of files) {
    const place = placeOf(dir, file);
    try {
      mkdirSync(nodePath.dirname(place), { recursive: true });
      writeFileSync(place, contents);
    } catch (err) {
      throw new UserError(
        `Cannot write ${place} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): pick a folder you can write to.`,
      );
    }
  }
}

function packageJson(stage: { number: number; name: string }, packages: Set<string>): string {
  // the tutor bundles what it runs, so its own package.json lists these as devDependencies
  const own = JSON.parse(readFileSync(nodePath.join(packageRoot, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
    engines: Record<string, string>;
  };
  const dependencies = Object.fromEntries(
    [...packages].sort().map((pkg) => {
      const version = own.devDependencies[pkg];
      if (!version)
        throw new Error(
          `stage ${stage.number} imports ${pkg}, which session-tutor does not depend on`,
        );
      return [pkg, version];
    }),
  );
  return `${JSON.stringify(
    {
      name: `session-tutor-stage-${stage.name}`,
      version: '1.0.0',
      private: true,
      description: `Stage ${stage.number} of session-tutor, ejected to edit and run on your own.`,
      type: 'module',
      scripts: { start: 'node --watch server.js' },
      engines: own.engines,
      dependencies,
    },
    null,
    2,
  )}\n`;
}
