// The esbuild options every bundle of session-tutor uses: the shipped CLI (scripts/build.js) and
// the benchmark's harness (bench/lib.js), so both load their code the same way.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/**
 * string-width (under wrap-ansi and src/cli/width.ts) makes an Intl.Segmenter as it loads, and the
 * first Intl object starts ICU's locale and segmentation data: tens of milliseconds before the
 * first page of `start`, whose text is plain ASCII. Bundled, it makes its segmenter on first use
 * instead, and measures printable ASCII by its length (one column a character, as its own rules
 * give: no ASCII character is wide, ignorable or part of a longer grapheme).
 */
const stringWidthLazily = {
  name: 'string-width-lazily',
  setup(bundler) {
    bundler.onLoad(
      { filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ },
      async (args) => {
        let contents = await readFile(args.path, 'utf8');
        const edits = [
          ['const segmenter = new Intl.Segmenter();', 'let segmenter;'],
          ['segmenter.segment(string)', '(segmenter ??= new Intl.Segmenter()).segment(string)'],
          [
            '\tlet width = 0;\n',
            '\tif (/^[\\x20-\\x7E]*$/.test(string)) {\n\t\treturn string.length;\n\t}\n\n\tlet width = 0;\n',
          ],
        ];
        for (const [from, to] of edits) {
          if (contents.split(from).length !== 2) {
            throw new Error(`string-width changed: "${from}" is not in ${args.path} once`);
          }
          contents = contents.replace(from, to);
        }
        return { contents, loader: 'js' };
      },
    );
  },
};

/** For splitting builds: chunks lie flat beside the entries, one folder below the package root. */
export const splitOptions = {
  splitting: true,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // optional peers, found beside the tutor when a learner installs them
  external: Object.keys(own.peerDependencies ?? {}),
  plugins: [withoutEastAsianTables, stringWidthLazily],
  // the bundled CommonJS packages (Express and its helpers) call require() for Node's modules
  banner: {
    js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
  },
};
