import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import chalk, { Chalk } from 'chalk';
import { type BuildOptions, build, stop } from 'esbuild';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { displayWidth, tutorMarks } from '../src/cli/width.js';

// the build's own esbuild options; scripts/ is plain JavaScript, outside the type check
const {
  bundleOptions,
  root,
  splitOptions,
}: Record<'bundleOptions' | 'splitOptions', BuildOptions> & {
  root: string;
} = await import(new URL('../scripts/bundle-options.js', import.meta.url).href);

const colour = new Chalk({ level: 1 });
// lines as the tutor draws them, and the kinds of text string-width exists for
const lines = [
  '',
  'Lesson 1 of 12 · The goldfish   ■■□□□□□□□□□□ 2 of 12 done',
  `${colour.bold('Lesson 3 of 12')} · ${colour.bold.blue('A form')}   ■■□`,
  '✔ 12 Same site is not same origin: 4/4',
  '[Enter] next · [b] back · ↑↓ scroll · [q] quit',
  '◀ ▶ ⚠ ✘ checking…',
  'tab\tand\r\nline end',
  'Ａｄａ 中文 한국어',
  'emoji 👋🏽 👨‍👩‍👧 🇫🇷 1️⃣',
  'combining é (e\u0301) and ZWJ\u200d',
  '· followed by a combining mark ·\u0301',
];

describe('measuring text on the terminal', () => {
  it('gives each of the marks the tutor draws with the width string-width gives it, alone and among ASCII', () => {
    for (const [mark, columns] of tutorMarks) {
      expect(stringWidth(mark), mark).toBe(columns);
      expect(stringWidth(`a${mark}${mark} b${mark}`), mark).toBe(3 + 3 * columns);
    }
  });

  it('measures every line as string-width does, with colours or without', () => {
    for (const line of lines) {
      expect(displayWidth(line), JSON.stringify(line)).toBe(stringWidth(line));
      expect(displayWidth(chalk.red(line)), JSON.stringify(line)).toBe(stringWidth(line));
    }
  });

  it('bundles a string-width that measures as the original and makes no Intl object as it loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'session-tutor-width-'));
    try {
      // the spy is evaluated first, so it sees every segmenter string-width makes, as it loads too
      writeFileSync(
        join(dir, 'spy.js'),
        `export const made = [];
        const Segmenter = Intl.Segmenter;
        Intl.Segmenter = class extends Segmenter { constructor(...a) { super(...a); made.push(1); } };`,
      );
      const entry = join(dir, 'entry.js');
      writeFileSync(
        entry,
        `export { made } from './spy.js';
        export { default as stringWidth } from 'string-width';`,
      );
      // esbuild's service process ends with stop(): the test leaves no process behind
      await build({
        ...bundleOptions,
        ...splitOptions,
        absWorkingDir: root,
        nodePaths: [join(root, 'node_modules')],
        entryPoints: { bundled: entry },
        outdir: dir,
      }).finally(() => stop());
      const bundled = await import(pathToFileURL(join(dir, 'bundled.js')).href);
      expect(bundled.made).toHaveLength(0);
      for (const line of [...lines, ...lines.map((l) => colour.green(l))]) {
        expect(bundled.stringWidth(line), JSON.stringify(line)).toBe(stringWidth(line));
      }
      expect(bundled.made.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
