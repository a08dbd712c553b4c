import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findLesson, readPages } from '../src/course/catalog.js';
import { readText } from '../src/text.js';

// A Windows clone with core.autocrlf=true, simulated on Linux.

const root = fileURLToPath(new URL('..', import.meta.url));
const isClone = existsSync(join(root, '.git'));

describe('Windows line ends', () => {
  it('a lesson saved with CRLF splits into the same pages, with no \\r left in them', () => {
    const lesson = findLesson(5);
    const dir = mkdtempSync(join(tmpdir(), 'session-tutor-crlf-'));
    try {
      const crlf = readFileSync(join(lesson.dir, 'lesson.md'), 'utf8').replace(/\n/g, '\r\n');
      writeFileSync(join(dir, 'lesson.md'), crlf);
      const pages = readPages({ ...lesson, dir });
      expect(pages).toEqual(readPages(lesson));
      expect(pages.join('')).not.toContain('\r');
      expect(readText(join(dir, 'lesson.md'))).toBe(crlf.replace(/\r\n/g, '\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!isClone)(
    'a core.autocrlf=true clone checks out LF everywhere, builds, passes Biome and runs its tests that read the text files',
    () => {
      const clone = mkdtempSync(join(tmpdir(), 'session-tutor-autocrlf-'));
      try {
        const run = (command: string, args: string[]) =>
          execFileSync(command, args, { cwd: clone, encoding: 'utf8', timeout: 120_000 });
        execFileSync('git', ['clone', '-q', '--config', 'core.autocrlf=true', root, clone], {
          timeout: 60_000,
        });
        const withCrlf = run('git', ['ls-files', '--eol'])
          .split('\n')
          .filter((line) => /\bw\/crlf\b/.test(line));
        expect(withCrlf).toEqual([]);
        // the clone shares this checkout's installed packages instead of installing its own
        symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'junction');
        run(process.execPath, ['scripts/build.js']);
        run(process.execPath, [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'check', '.']);
        expect(
          readFileSync(join(clone, 'dist/javascript/stages/05-remember.js'), 'utf8'),
        ).not.toContain('\r');
        // the checkout is byte for byte this one, so the whole suite sees the same files; these
        // read the README, every lesson's pages and every import under src/ in the clone itself
        const vitest = join(root, 'node_modules/vitest/vitest.mjs');
        const tests = ['test/registry.test.ts', 'test/pager.test.ts'];
        const ran = execFileSync(process.execPath, [vitest, 'run', ...tests], {
          cwd: clone,
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        });
        expect(ran).toMatch(/Test Files +2 passed/);
      } finally {
        rmSync(clone, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
