import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { lessonsDir } from '../paths.js';
import type { LessonModule } from './types.js';

/** What lessons/NN-slug/lesson.json says, plus where the lesson lives. */
export interface LessonInfo {
  number: number;
  slug: string;
  /** The folder name, such as `05-remember`: also the name of its stage and its demo module. */
  name: string;
  title: string;
  hint: string;
  dir: string;
}

let lessons: LessonInfo[] | undefined;

/** Every lesson, from the folders in lessons/, in order. Cheap: reads only the small JSON files. */
export function listLessons(): LessonInfo[] {
  lessons ??= readdirSync(lessonsDir)
    .filter((name) => /^\d\d-[a-z0-9-]+$/.test(name))
    .sort()
    .map((name) => {
      const dir = join(lessonsDir, name);
      const meta = JSON.parse(readFileSync(join(dir, 'lesson.json'), 'utf8')) as {
        title: string;
        hint: string;
      };
      return {
        number: Number(name.slice(0, 2)),
        slug: name.slice(3),
        name,
        title: meta.title,
        hint: meta.hint,
        dir,
      };
    });
  return lessons;
}

/** Lesson N, or a message that gives the valid range. */
export function findLesson(number: number): LessonInfo {
  const all = listLessons();
  const lesson = all.find((l) => l.number === number);
  if (!lesson) {
    throw new UserError(`There is no lesson ${number}: lessons are numbered 1 to ${all.length}.`);
  }
  return lesson;
}

/** Parses a lesson number typed by the user, rejecting anything that is not a whole number. */
export function lessonNumber(text: string): number {
  const all = listLessons();
  if (!/^\d+$/.test(text.trim())) {
    throw new UserError(
      `"${text}" is not a lesson number: lessons are numbered 1 to ${all.length}.`,
    );
  }
  return findLesson(Number(text)).number;
}

/** The lesson's text split into pages: a line holding only `---` ends a page. */
export function readPages(lesson: LessonInfo): string[] {
  const text = readFileSync(join(lesson.dir, 'lesson.md'), 'utf8');
  return text
    .split(/^---$/m)
    .map((page) => page.trim())
    .filter((page) => page !== '');
}

export async function lessonModule(lesson: LessonInfo): Promise<LessonModule> {
  const url = new URL(`./${lesson.name}.js`, import.meta.url).href;
  return (await import(/* @vite-ignore */ url)) as LessonModule;
}
