// `npm run build`: the CLI as one ESM bundle for Node, split into chunks, in dist/.
//
// - dist/session-tutor.cjs, package.json's bin, answers `--version` from package.json alone (what
//   installers and scripts call, 80 KB less to parse) and runs dist/cli.js for anything else.
// - dist/cli.js is the CLI's entry and dist/stage-child.js the program a stage
//   process runs (src/course/stage-process.ts forks it). Every chunk lies flat beside them, so
//   code finds the package root one folder up wherever esbuild put it (src/paths.ts).
// - `--help` and `list` load dist/cli.js alone: esbuild moves code that the entry
//   shares with lazily loaded chunks into shared chunks, so those are merged back into the entry
//   here, and the other chunks import that code from it (see mergeIntoEntry).
// - Express, express-session, undici and tough-cookie are bundled into chunks that only the
//   commands that start a stage or a visitor load. redis and connect-redis stay outside: they are
//   optional peers, found beside the tutor when a learner installs them.
// - Also written: dist/javascript/ (what `eject` copies) and dist/stages/form.html (both by
//   scripts/javascript.js), dist/stage-helpers.json (the lines of src/stage/ that declare each
//   helper a stage imports, for the walkthrough; scripts/stage-helpers.js), THIRD-PARTY-LICENSES (the licence texts of the bundled packages),
//   dist/manifest.json (which output holds which source entry, for
//   the tests and the bench; not shipped), dist/reading-words.json (for `list`'s reading times), and
//   dist/first-pages.json (each lesson's first page as marked reads it, so the first page needs no marked).
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { init, parse } from 'es-module-lexer';
import { build } from 'esbuild';
import { bundleOptions as common, own, root, splitOptions } from './bundle-options.js';
import { writeEjectable } from './javascript.js';
import { writeStageHelpers } from './stage-helpers.js';

const dist = join(root, 'dist');

/**
 * The bin: a few lines, written as they run (nothing to bundle). CommonJS, so that `--version`
 * does not wait for Node's ES module loader either.
 */
const launcher = `#!/usr/bin/env node
// session-tutor's command (written by scripts/build.js): \`--version\` is answered from
// package.json without loading the CLI; anything else runs dist/cli.js.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
if (args.length === 1 && ['--version', '-v', '-V'].includes(args[0])) {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(\`\${version}\\n\`);
} else {
  // Node 22.8 and later keep V8's compiled code of the CLI's files on disk (in the system's temp
  // folder, or NODE_COMPILE_CACHE), so a later start skips compiling them; it never throws, and
  // NODE_DISABLE_COMPILE_CACHE turns it off (nodejs.org/api/module.html#module-compile-cache).
  // Node 20 has no such cache.
  require('node:module').enableCompileCache?.();
  import('./cli.js').then((cli) => cli.main());
}
`;

rmSync(dist, { recursive: true, force: true });
const { metafile } = await build({
  ...common,
  ...splitOptions,
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', 'stage-child': 'src/course/stage-child.ts' },
  outdir: 'dist',
  metafile: true,
});

const merged = await mergeIntoEntry(metafile, 'dist/cli.js');
chmodSync(join(dist, 'cli.js'), 0o755);
writeFileSync(join(dist, 'session-tutor.cjs'), launcher, { mode: 0o755 });
writeManifest(metafile, merged, 'dist/cli.js');
await writeEjectable(root, join(dist, 'javascript'));
writeStageHelpers(root, join(dist, 'stage-helpers.json'));
await writeReadingWords();
await writeFirstPages();
writeFileSync(join(root, 'THIRD-PARTY-LICENSES'), thirdPartyLicenses(metafile));

/**
 * Makes `entry` the only file its process loads until a command needs more: the shared chunks
 * it imports statically are bundled into it, it exports what they exported, and every other
 * output imports those from the entry instead. The entry must not use top-level await, or a
 * chunk imported while it evaluates would wait for it forever (src/cli/main.ts says so too).
 * Returns the outputs merged into it.
 */
async function mergeIntoEntry(meta, entry) {
  const closure = new Set();
  const visit = (output) => {
    for (const imported of meta.outputs[output].imports) {
      if (imported.kind !== 'import-statement' || imported.external) continue;
      if (closure.has(imported.path)) continue;
      closure.add(imported.path);
      visit(imported.path);
    }
  };
  visit(entry);
  if (closure.size === 0) return closure;
  const exported = new Map();
  for (const chunk of closure) {
    for (const name of meta.outputs[chunk].exports) {
      if (exported.has(name)) {
        throw new Error(`${chunk} and ${exported.get(name)} both export ${name}: cannot merge`);
      }
      exported.set(name, chunk);
    }
  }
  const entryPath = join(root, entry);
  const inClosure = new Set([...closure].map((chunk) => join(root, chunk)));
  await build({
    ...common,
    entryPoints: [entryPath],
    outfile: entryPath,
    allowOverwrite: true,
    plugins: [
      {
        name: 'merge-shared-chunks',
        setup(bundler) {
          bundler.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const path = resolve(args.resolveDir, args.path);
            return inClosure.has(path) ? { path } : { path: args.path, external: true };
          });
          bundler.onLoad({ filter: /.*/ }, (args) => {
            let contents = readFileSync(args.path, 'utf8');
            if (args.path === entryPath) {
              for (const chunk of closure) contents += `\nexport*from"./${basename(chunk)}";`;
            }
            return { contents, loader: 'js' };
          });
        },
      },
    ],
  });
  const names = [...closure].map((chunk) => basename(chunk));
  const merged = new Set(names.map((name) => `./${name}`));
  await init;
  for (const output of Object.keys(meta.outputs)) {
    if (output === entry || closure.has(output) || !output.endsWith('.js')) continue;
    const file = join(root, output);
    const code = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      renameImports(code, (spec) => (merged.has(spec) ? `./${basename(entry)}` : spec)),
    );
  }
  for (const chunk of closure) rmSync(join(root, chunk));
  const left = readdirSync(dist).filter((f) => names.includes(f));
  if (left.length > 0) throw new Error(`merged chunks left behind: ${left.join(', ')}`);
  return closure;
}

/**
 * `code` with each import specifier that `rename` changes rewritten in place, where es-module-lexer
 * finds it: a static import's range is the specifier's text, a dynamic import's the string literal.
 */
function renameImports(code, rename) {
  const [imports] = parse(code);
  let renamed = code;
  for (const { n: spec, s: start, e: end, d: dynamic } of [...imports].sort((a, b) => b.s - a.s)) {
    if (spec === undefined || rename(spec) === spec) continue;
    const text = dynamic > -1 ? JSON.stringify(rename(spec)) : rename(spec);
    renamed = renamed.slice(0, start) + text + renamed.slice(end);
  }
  return renamed;
}

/**
 * dist/reading-words.json: the words each lesson shows the learner, demos included, so that `list`
 * shows reading times without running anything. A demo's words are counted by running it
 * (`node bench/words.js` keeps them in bench/words-on-screen.json); a lesson not measured yet
 * counts its text and code change, counted here.
 */
async function writeReadingWords() {
  const { counts } = await runSource(
    'reading-words',
    `import { listLessons } from './src/course/catalog.ts';
    import { readingWords } from './src/cli/lesson-words.ts';
    export const counts = Object.fromEntries(listLessons().map((l) => [l.name, readingWords(l)]));`,
  );
  writeFileSync(join(dist, 'reading-words.json'), `${JSON.stringify(counts, null, 2)}\n`);
}

/**
 * dist/first-pages.json: the Markdown of every lesson's first page (the first a run draws: `start`
 * resumes at any lesson) as marked reads it, by text, so that the first page is drawn without
 * loading marked (src/cli/page-markdown.ts). Text with a placeholder is filled in only when it runs.
 */
async function writeFirstPages() {
  const { parts } = await runSource(
    'first-pages',
    `import { lexer } from 'marked';
    import { isDirective, listLessons, pageParts, readPages } from './src/course/catalog.ts';
    export const parts = listLessons()
      .flatMap((l) => pageParts(readPages(l)[0]))
      .filter((part) => !isDirective(part) && !part.includes('{{'))
      .map((part) => [part, lexer(part)]);`,
  );
  writeFileSync(join(dist, 'first-pages.json'), JSON.stringify(Object.fromEntries(parts)));
}

/**
 * Builds `contents` (TypeScript that imports the tutor's source) into a module of its own, imports
 * it and returns its exports: what the build counts or reads once, as the tutor would. The module
 * is written in dist/, so src/paths.ts finds the root, and removed after.
 */
async function runSource(name, contents) {
  const outfile = join(dist, `${name}.mjs`);
  await build({
    ...common,
    packages: 'external',
    stdin: { contents, resolveDir: root, loader: 'ts' },
    outfile,
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile);
  }
}

/** Which output file holds each source module that is an entry or an `import()` target. */
function writeManifest(meta, merged, entry) {
  const manifest = {};
  for (const [output, info] of Object.entries(meta.outputs)) {
    if (info.entryPoint)
      manifest[info.entryPoint] = relative('dist', merged.has(output) ? entry : output);
  }
  writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The licence of every package the bundle holds code from, with its full text. */
function thirdPartyLicenses(meta) {
  const packages = new Map();
  for (const output of Object.values(meta.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const match = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
      if (match) packages.set(match[1], true);
    }
  }
  const sections = [...packages.keys()]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      const files = readdirSync(join(root, dir)).filter((f) =>
        /^(licen[cs]e|copying)([-.][a-z0-9.-]*)?$/i.test(f),
      );
      const text =
        files.map((f) => readFileSync(join(root, dir, f), 'utf8').trim()).join('\n\n') ||
        licenceInReadme(join(root, dir));
      if (!text) throw new Error(`${pkg.name} (${dir}) ships no licence text`);
      return { name: pkg.name, version: pkg.version, license: pkg.license, text };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const seen = new Set();
  const unique = sections.filter((s) => {
    const key = `${s.name}@${s.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const line = '-'.repeat(78);
  return `${own.name} bundles code from the packages below, each under its own licence, given in full.
${own.name}'s own licence is in LICENSE.

${unique.map((s) => `${line}\n${s.name} ${s.version} (${s.license})\n${line}\n\n${s.text}\n`).join('\n')}`;
}

/** Some packages give their licence only in a "License" section of their README. */
function licenceInReadme(dir) {
  const readme = readdirSync(dir).find((f) => /^readme(\.md)?$/i.test(f));
  if (!readme) return '';
  const section = readFileSync(join(dir, readme), 'utf8').match(
    /^#+\s*licen[cs]e\b.*\n([\s\S]*?)(?=^#|(?![\s\S]))/im,
  );
  return section && /permission is hereby granted/i.test(section[1]) ? section[1].trim() : '';
}
