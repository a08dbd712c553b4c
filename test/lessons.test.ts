import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stageListing } from '../src/cli/listing.js';
import { listLessons, readPages } from '../src/course/catalog.js';
import { runDemo } from '../src/course/run.js';
import type { DemoStep } from '../src/course/types.js';
import { held } from '../src/course/types.js';
import { withStage } from './helpers.js';

const lessons = listLessons();

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

  it('shows the real stage source, with the lines new since the previous stage marked', () => {
    expect(existsSync(lesson.stageSource)).toBe(true);
    const listing = stageListing(lesson);
    const firstLine = readFileSync(lesson.stageSource, 'utf8').split('\n')[0];
    expect(listing).toContain(firstLine);
    if (lesson.number > 1) expect(listing).toContain('NEW BIT');
    else expect(listing).not.toContain('NEW BIT');
  });

  it('runs its demo on its own stage, and every verdict holds', async () => {
    const steps: DemoStep[] = [];
    const verdicts = await withStage(lesson.number, (stage) =>
      runDemo(lesson, stage, (s) => steps.push(s)),
    );
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.filter((v) => !held(v))).toEqual([]);
    expect(steps.some((s) => s.kind === 'hops')).toBe(true);
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
