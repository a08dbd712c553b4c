import { readBuilt } from '../paths.js';

/** The reading speed behind `list`'s estimates: an unhurried pace for text with code in it. */
export const wordsPerMinute = 200;

/** Whole minutes (at least one) to read `words` at `wordsPerMinute`. */
export function minutesFor(words: number): number {
  return Math.max(1, Math.round(words / wordsPerMinute));
}

/**
 * The words each lesson asks the learner to read (see lessonWords in lesson-words.ts), by lesson name,
 * as the build counted them: test/cli.test.ts proves they match the lessons as they are.
 */
export function lessonWordCounts(): Record<string, number> {
  return readBuilt('reading-words.json');
}
