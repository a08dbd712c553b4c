import { existsSync, readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lessonWords } from '../src/cli/lesson-words.js';
import { stageChange, stageListing } from '../src/cli/listing.js';
import { commandsToCopy, renderMarkdown } from '../src/cli/markdown.js';
import { renderStep } from '../src/cli/render.js';
import { displayWidth, widthFor } from '../src/cli/width.js';
import { directiveLine, listLessons, readPages } from '../src/course/catalog.js';
import { runDemo } from '../src/course/run.js';
import type { DemoStep } from '../src/course/types.js';
import { held } from '../src/course/types.js';
import { withStage } from './helpers.js';

const lessons = listLessons();

/**
 * Asserts that `narrow` is `wide` wrapped at word boundaries into lines of `width` columns that
 * fit a terminal `columns` wide (a command to copy is never wrapped: it may take the margin, or more): the
 * same words in the same order, a word split only where it is longer than a line (its pieces
 * then fill their lines to the last column).
 */
function expectWrappedAtWords(
  narrow: string,
  wide: string,
  width: number,
  columns: number,
  commands: string[] = [],
): void {
  const lines = stripVTControlCharacters(narrow).split('\n');
  for (const line of lines) {
    // a command (the path of this very tutor in it) is never wrapped, so it can be copied whole
    const command = line.startsWith('  npx ') || commands.includes(line.trim());
    if (!command) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
  }
  const pieces = lines.flatMap((line) =>
    line
      .split(' ')
      .filter(Boolean)
      .map((word, i, all) => ({
        word,
        fills: i === all.length - 1 && displayWidth(line) >= width - 1,
      })),
  );
  const words = stripVTControlCharacters(wide).split(/\s+/).filter(Boolean);
  let at = 0;
  for (const word of words) {
    let joined = pieces[at].word;
    while (joined !== word && pieces[at].fills && at + 1 < pieces.length) {
      at++;
      joined += pieces[at].word;
    }
    expect(joined, `"${word}" at ${width} columns`).toBe(word);
    at++;
  }
  expect(at).toBe(pieces.length);
}

describe('the course', () => {
  it('numbers its lessons 1 to N with no gaps', () => {
    expect(lessons.map((l) => l.number)).toEqual(lessons.map((_, i) => i + 1));
  });
});

// Like the Go Tour's content test: every lesson's text, code listing and demo must load and run.
describe.each(lessons.map((l) => [l.name, l] as const))('lesson %s', (_name, lesson) => {
  it('has a title, a hint and short pages, one of which runs the demo', () => {
    expect(lesson.title.length).toBeGreaterThan(0);
    expect(lesson.hint.length).toBeGreaterThan(0);
    const pages = readPages(lesson);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.filter((p) => /^\.demo$/m.test(p))).toHaveLength(1);
    expect(pages.some((p) => /^\.code$/m.test(p))).toBe(true);
    expect(pages.some((p) => p.includes('{{url}}'))).toBe(true);
  });

  it('shows what changed in its stage, and the whole real file one key away', () => {
    expect(existsSync(lesson.stageSource)).toBe(true);
    const source = readFileSync(lesson.stageSource, 'utf8').trimEnd().split('\n');
    const whole = stripVTControlCharacters(stageListing(lesson, 200));
    // every line of the file, numbered, in order (200 columns: nothing wraps)
    const numbered = whole.split('\n').slice(1);
    expect(numbered.map((l) => l.slice(6))).toEqual(source);
    expect(numbered.map((l) => Number(l.slice(0, 3)))).toEqual(source.map((_, i) => i + 1));
    const change = stripVTControlCharacters(stageChange(lesson, 200));
    if (lesson.number === 1) {
      expect(change).toBe(whole); // no stage before: the whole (short) file
      return;
    }
    expect(change.split('\n')[0]).toContain(
      `what changed since stage ${lesson.number - 1} (the file has ${source.length} lines)`,
    );
    // the rows between ⋮ marks: numbered lines of the file (unchanged or +), and removed ones (-)
    const hunks = change
      .split('\n')
      .slice(1)
      .join('\n')
      .split(/^ {2}⋮$/m)
      .map((hunk) => hunk.split('\n').filter((row) => row !== ''))
      .filter((rows) => rows.length > 0);
    const sign = (row: string) => row.slice(4, 5);
    expect(hunks.flat().some((row) => sign(row) === '+')).toBe(true);
    for (const rows of hunks) {
      rows.forEach((row, i) => {
        if (sign(row) === '-') return;
        expect(row.slice(6)).toBe(source[Number(row.slice(0, 3)) - 1]);
        // an unchanged line is shown only as context: at most 3 rows from a change
        if (sign(row) === ' ') {
          const near = rows.slice(Math.max(0, i - 3), i + 4).some((r) => sign(r) !== ' ');
          expect(near).toBe(true);
        }
      });
    }
  });

  it('counts for its reading time the words of its text and of its code change as shown', () => {
    const words = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
    const text = readPages(lesson).join('\n').replace(new RegExp(directiveLine.source, 'gm'), '');
    const shown = stripVTControlCharacters(stageChange(lesson, 1000)); // nothing wraps
    expect(lessonWords(lesson)).toBe(words(text) + words(shown));
  });

  it('runs its demo on its own stage, and every verdict holds', async () => {
    const steps: DemoStep[] = [];
    const verdicts = await withStage(lesson.number, (stage) =>
      runDemo(lesson, stage, (s) => steps.push(s)),
    );
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.filter((v) => !held(v))).toEqual([]);
    expect(steps.some((s) => s.kind === 'hops')).toBe(true);

    // what it shows, text and demo, wraps at words on any terminal from 60 columns up; the
    // diagrams are drawn to the width and cut what does not fit with … (pager.test.ts)
    const url = 'http://localhost:3000';
    const texts = readPages(lesson)
      .flatMap((page) => page.split(directiveLine).filter((_, i) => i % 2 === 0)) // text, not the directives
      .map((text) => text.replaceAll('{{url}}', url));
    const shown = steps.filter((s) => s.kind !== 'hops');
    const commands = texts.flatMap(commandsToCopy);
    for (let columns = 60; columns <= 100; columns++) {
      const width = widthFor(columns);
      for (const text of texts)
        expectWrappedAtWords(
          renderMarkdown(text, width),
          renderMarkdown(text, 10_000),
          width,
          columns,
          commands,
        );
      for (const step of shown)
        expectWrappedAtWords(renderStep(step, width), renderStep(step, 10_000), width, columns);
    }
  });
});

// A demo that cannot fail proves nothing: on the stage before, the lesson's idea is missing.
// The exceptions are marked in the registry; lesson 2 is one, and that is its point: sessions
// are on, but nothing is stored, so on the wire it looks exactly like lesson 1.

describe.each(lessons.filter((l) => !l.sameOnTheWireAsBefore).map((l) => [l.name, l] as const))(
  'lesson %s on the stage before it',
  (_name, lesson) => {
    it('has a verdict that does not hold', async () => {
      const verdicts = await withStage(lesson.number - 1, (stage) =>
        runDemo(lesson, stage, () => {}),
      );
      expect(verdicts.some((v) => !held(v))).toBe(true);
    });
  },
);
