// Part of `npm run build`: writes dist/javascript/, src/ as plain JavaScript with the same lines and comments as their TypeScript source, for `session-tutor eject`.
// Sucrase only removes the types (tsc would reflow the code); lines left empty by a removed type
// or `import type` are dropped.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'sucrase';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = join(root, 'dist/javascript');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

export function stripTypes(source) {
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

for (const file of sources(join(root, 'src'))) {
  const target = join(out, relative(join(root, 'src'), file)).replace(/\.ts$/, '.js');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, stripTypes(readFileSync(file, 'utf8')));
}
