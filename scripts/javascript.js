// Part of `npm run build`: writes dist/javascript/, the JavaScript that `session-tutor eject`
// copies: each stage, the wrapper's own helpers (stage/error-pages.ts, and the store chooser of
// stages 9 and 10), and every file those import, with the same lines and comments as their
// TypeScript source. Sucrase only removes the types (tsc would reflow the code); lines left empty
// by a removed type or `import type` are dropped.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { transform } from 'sucrase';

export function stripTypes(typescript) {
  // a checkout with Windows line ends (core.autocrlf) must not give the learner mixed ones
  const source = typescript.replace(/\r\n/g, '\n');
  const { code } = transform(source, { transforms: ['typescript'], disableESTransforms: true });
  const before = source.split('\n');
  const after = code.split('\n');
  if (before.length !== after.length) throw new Error('sucrase did not keep the lines');
  const kept = after.filter((line, i) => line.trim() !== '' || before[i].trim() === '');
  return `${kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '')
    .trimEnd()}\n`;
}

/** The relative modules a piece of JavaScript imports, statically or with `import('…')`. */
export function relativeImports(code) {
  return [...code.matchAll(/(?:\bfrom\s+|\bimport\(\s*)'(\.[^']+)'/g)].map((m) => m[1]);
}

/** Writes the ejectable JavaScript of `root`/src into `out`; returns the files written. */
export function writeEjectable(root, out) {
  const src = join(root, 'src');
  const stages = join(src, 'stage/stages');
  const wanted = [
    ...readdirSync(stages)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(stages, f)),
    join(src, 'stage/error-pages.ts'),
    join(src, 'stage/stores/choose.ts'),
  ];
  const written = new Set();
  while (wanted.length > 0) {
    const file = wanted.pop();
    if (written.has(file)) continue;
    written.add(file);
    const code = stripTypes(readFileSync(file, 'utf8'));
    const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
    for (const spec of relativeImports(code)) {
      wanted.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
    }
  }
  return [...written];
}
