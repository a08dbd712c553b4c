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

/**
 * iconv-lite (under body-parser) holds half a megabyte of Chinese, Japanese and Korean code
 * tables, each loaded only when a request is decoded from such a character set. The stages read
 * forms with express.urlencoded, which accepts UTF-8 and ISO-8859-1 alone and answers any other
 * charset with 415 before decoding, so the tables are left out: a table asked for all the same
 * throws, rather than decoding wrongly.
 */
const withoutEastAsianTables = {
  name: 'without-east-asian-tables',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/tables\/.+\.json$/ }, (args) =>
      /iconv-lite[\\/]encodings[\\/]dbcs-data\.js$/.test(args.importer)
        ? { path: args.path, namespace: 'left-out' }
        : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `throw new Error('session-tutor is bundled without iconv-lite\\'s ${args.path}: its stages accept forms in UTF-8 or ISO-8859-1');`,
      loader: 'js',
    }));
  },
};

/** For splitting builds: chunks lie flat beside the entries, one folder below the package root. */
export const splitOptions = {
  splitting: true,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // optional peers, found beside the tutor when a learner installs them
  external: Object.keys(own.peerDependencies ?? {}),
  plugins: [withoutEastAsianTables],
  // the bundled CommonJS packages (Express and its helpers) call require() for Node's modules
  banner: {
    js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
  },
};
