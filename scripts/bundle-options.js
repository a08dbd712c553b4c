// The esbuild options every bundle of session-tutor uses: the shipped CLI (scripts/build.js) and
// the benchmark's harness (bench/lib.js), so both load their code the same way.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../', import.meta.url));
export const own = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

export const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: `node${own.engines.node.replace(/^>=\s*/, '')}`,
  // whitespace and syntax only: stack traces keep their names
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none', // the licences are in THIRD-PARTY-LICENSES
  logLevel: 'warning',
};

/** For splitting builds: chunks lie flat beside the entries, one folder below the package root. */
export const splitOptions = {
  splitting: true,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // optional peers, found beside the tutor when a learner installs them
  external: Object.keys(own.peerDependencies ?? {}),
  // the bundled CommonJS packages (Express and its helpers) call require() for Node's modules
  banner: {
    js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
  },
};
