import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasHelpers, helperExcerpt, helperViews } from '../src/cli/helpers.js';
import { findLesson } from '../src/course/catalog.js';

interface Helper {
  name: string;
  file: string;
  call: boolean;
  lines: [number, number][];
}

// the build's own reader of the stages; scripts/ is plain JavaScript, outside the type check
const { stageHelpers }: { stageHelpers: (root: string) => Record<string, Helper[]> } = await import(
  new URL('../scripts/stage-helpers.js', import.meta.url).href
);

const root = fileURLToPath(new URL('..', import.meta.url));
const recorded: Record<string, Helper[]> = JSON.parse(
  readFileSync(join(root, 'dist/stage-helpers.json'), 'utf8'),
);
const sourceLines = (file: string) =>
  readFileSync(join(root, 'src/stage', file), 'utf8').split('\n');

describe('the helpers i shows, as the build records them in dist/stage-helpers.json', () => {
  it('agree with src/stage/ as it is now (a helper renamed or moved since the build fails here)', () => {
    expect(recorded).toEqual(stageHelpers(root));
  });

  it('are whole blocks of their files: each range holds the export of its name, between empty lines', () => {
    const helpers = Object.values(recorded).flat();
    expect(helpers.length).toBeGreaterThan(0);
    for (const { name, file, lines } of helpers) {
      const source = sourceLines(file);
      const shown = lines.flatMap(([first, last]) => source.slice(first - 1, last));
      expect(
        shown.some((line) => line.startsWith('export ') && new RegExp(`\\b${name}\\b`).test(line)),
        `${name} in ${file}`,
      ).toBe(true);
      // a name passed on from a package shows its import and export lines alone
      if (lines.length > 1) continue;
      const [[first, last]] = lines;
      expect(source[first - 2] ?? '', `the line before ${name}`).toBe('');
      expect(source[last] ?? '', `the line after ${name}`).toBe('');
    }
  });

  it('stop the build when a stage imports a name its helper no longer declares, naming both', () => {
    const copy = mkdtempSync(join(tmpdir(), 'session-tutor-helpers-'));
    try {
      cpSync(join(root, 'src/stage'), join(copy, 'src/stage'), { recursive: true });
      const pages = join(copy, 'src/stage/pages.ts');
      const renamed = readFileSync(pages, 'utf8').replace(
        'export function page(',
        'export function pageOf(',
      );
      writeFileSync(pages, renamed);
      expect(() => stageHelpers(copy)).toThrow(
        'src/stage/pages.ts declares no page, which stages/05-remember.ts imports',
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('a stage helper on screen', () => {
  const lesson5 = findLesson(5);

  it('is there for a stage that imports helpers of its own, and not for stage 1', () => {
    expect(hasHelpers(findLesson(1))).toBe(false);
    expect(hasHelpers(lesson5)).toBe(true);
  });

  it('shows .helper page <title> as the line of src/stage/pages.ts that holds it, with its number', () => {
    const source = sourceLines('pages.ts');
    const at = source.findIndex((line) => line.includes('<title>'));
    const { title, rows } = helperExcerpt(lesson5, 'page', '<title>');
    expect(title).toBe('src/stage/pages.ts, in page()');
    expect(rows.filter((row) => row.sign === ' ')).toEqual([
      { sign: ' ', lineNo: at + 1, text: source[at] },
    ]);
    expect(() => helperExcerpt(lesson5, 'page', 'no such text')).toThrow(
      'page in pages.ts has no line with no such text',
    );
    expect(() => helperExcerpt(lesson5, 'sameSessions', 'store')).toThrow(
      'stage 5 imports no helper named sameSessions',
    );
  });

  it('shows each file the stage imports from once, every line as the file has it', () => {
    const views = helperViews(lesson5);
    expect(views.map((v) => v.title)).toEqual([
      'src/stage/name.ts: nameFromForm, refuseBrokenEncoding',
      'src/stage/pages.ts: escapeHtml, formPage, page, problemPage',
      'src/stage/panel.ts: whatTheServerSees',
    ]);
    for (const view of views) {
      const source = sourceLines(view.title.slice('src/stage/'.length, view.title.indexOf(':')));
      for (const row of view.rows) {
        if (row.sign === ' ') expect(row.text).toBe(source[(row.lineNo as number) - 1]);
      }
    }
  });
});
