// Part of `npm run build`: writes dist/javascript/, the room that `session-tutor eject` copies
// from: every file of src/stage/ as JavaScript with the same lines and comments as its TypeScript
// source, the files it reads beside them (form.html), and imports.json, which says what each file
// imports, so that eject copies a stage and exactly the helpers it needs. Sucrase only removes the
// types (tsc would reflow the code); lines left empty by a removed type or `import type` are dropped.
// The build also copies form.html to dist/stages/, where the bundle's copy of pages.ts looks.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { init, parse } from 'es-module-lexer';
import { transform } from 'sucrase';

function stripTypes(typescript) {
  // a checkout with Windows line ends (core.autocrlf) must not give the learner mixed ones
  const source = typescript.replaceAll('\r\n', '\n');
  const { code } = transform(source, { transforms: ['typescript'], disableESTransforms: true });
  const before = source.split('\n');
  const after = code.split('\n');
  if (before.length !== after.length) throw new Error('sucrase did not keep the lines');
  const kept = [];
  for (const [i, line] of after.entries()) {
    const dropped = line.trim() === '' && before[i].trim() !== '';
    // at most one empty line in a row, none at the start
    const doubled = line.trim() === '' && (kept.length === 0 || kept.at(-1).trim() === '');
    if (!dropped && !doubled) kept.push(line);
  }
  while (kept.length > 0 && kept.at(-1).trim() === '') kept.pop();
  return `${kept.join('\n')}\n`;
}

/**
 * What a piece of JavaScript imports, statically or with `import('…')`, read by es-module-lexer:
 * relative specifiers as room paths (POSIX, from the room's root), and package names.
 */
async function importsOf(code, file) {
  await init;
  const [imports] = parse(code);
  const files = [];
  const packages = [];
  for (const { n: spec } of imports) {
    // a specifier that is not a string literal (sqlite.ts's `import(specifier)` of node:sqlite)
    if (spec === undefined || spec.startsWith('node:')) continue;
    if (spec.startsWith('.')) files.push(posix.join(posix.dirname(file), spec));
    else
      packages.push(
        spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0],
      );
  }
  return { files, packages };
}

// Files the room reads at run time, beside the module that reads them.
const reads = { 'pages.js': ['stages/form.html'] };

/** Writes the room, src/stage/ of `root`, as JavaScript into `out`; returns the room paths written. */
export async function writeEjectable(root, out) {
  const room = join(root, 'src/stage');
  const manifest = {};
  for (const entry of readdirSync(room, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = join(entry.parentPath, entry.name);
    const path = relative(room, source).split(sep).join('/');
    mkdirSync(dirname(join(out, path)), { recursive: true });
    if (!path.endsWith('.ts')) {
      copyFileSync(source, join(out, path));
      continue;
    }
    const file = `${path.slice(0, -'.ts'.length)}.js`;
    const code = stripTypes(readFileSync(source, 'utf8'));
    writeFileSync(join(out, file), code);
    const { files, packages } = await importsOf(code, file);
    manifest[file] = { files: [...files, ...(reads[file] ?? [])], packages };
  }
  writeFileSync(join(out, 'imports.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(join(root, 'dist/stages'), { recursive: true });
  copyFileSync(join(room, 'stages/form.html'), join(root, 'dist/stages/form.html'));
  return Object.keys(manifest);
}
