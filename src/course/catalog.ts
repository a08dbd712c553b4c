import { join } from 'node:path';
import { UserError } from '../errors.js';
import { lessonsDir, stageSourceDir } from '../paths.js';
import { readText } from '../text.js';
import { type LessonRow, lessonRows } from './lessons.js';
import type { LessonModule } from './types.js';

/** A lesson's row in the registry, plus the names and places that follow from it. */
export interface LessonInfo extends LessonRow {
  /** `NN-slug`, such as `05-remember`: the name of its folder, its stage and its demo module. */
  name: string;
  /** lessons/NN-slug: lesson.md, the lesson's text. */
  dir: string;
  /** src/stage/stages/NN-slug.ts: the stage's source, as the learner sees it and eject copies it. */
  stageSource: string;
}

const lessons: LessonInfo[] = lessonRows.map((row) => {
  const name = `${String(row.number).padStart(2, '0')}-${row.slug}`;
  return {
    ...row,
    name,
    dir: join(lessonsDir, name),
    stageSource: join(stageSourceDir, `${name}.ts`),
  };
});

/** Every lesson, in order, from the registry (src/course/lessons.ts). */
export function listLessons(): LessonInfo[] {
  return lessons;
}

/** Lesson N, or a message that gives the valid range. */
export function findLesson(number: number): LessonInfo {
  const lesson = lessons.find((l) => l.number === number);
  if (!lesson) {
    throw new UserError(
      `There is no lesson ${number}: lessons are numbered 1 to ${lessons.length}.`,
    );
  }
  return lesson;
}

/** The lesson a number typed by the user names, rejecting anything that is not one. */
export function lessonFrom(text: string): LessonInfo {
  if (!/^\d+$/.test(text.trim())) {
    throw new UserError(
      `"${text}" is not a lesson number: lessons are numbered 1 to ${lessons.length}.`,
    );
  }
  return findLesson(Number(text));
}

/** The lesson's text split into pages: a line holding only `---` ends a page. */
export function readPages(lesson: LessonInfo): string[] {
  const text = readText(join(lesson.dir, 'lesson.md'));
  return text
    .split(/^---$/m)
    .map((page) => page.trim())
    .filter((page) => page !== '');
}

/**
 * A directive line of a lesson page: `.code` shows the stage's change, `.demo` runs the demo, and
 * `.helper NAME TEXT` shows the lines holding TEXT of the helper NAME the stage imports, where
 * the lesson's point lives in it (src/cli/helpers.ts).
 */
export const directiveLine = /^(\.code|\.demo|\.helper .+)$/m;

/** Splits a page into Markdown parts and its directive lines (`.code`, `.demo`, `.helper …`). */
export function pageParts(page: string): string[] {
  return page
    .split(directiveLine)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** True for a part of a page (pageParts) that is a directive, not Markdown. */
export function isDirective(part: string): boolean {
  return directiveLine.test(part);
}

export function lessonModule(lesson: LessonInfo): Promise<LessonModule> {
  return lesson.module();
}
