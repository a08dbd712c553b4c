/** What the learner asks for: a key when interactive, always `next` when unattended. */
export type Action =
  | 'next'
  | 'back'
  | 'hint'
  | 'file'
  | 'quit'
  | 'restart'
  | 'redraw'
  | 'exercise'
  | 'helpers';

/** Where the walk is: which lesson and page, and what that page shows beyond its text. */
export interface Place {
  /** An index into the walk's lessons. */
  lesson: number;
  page: number;
  hint: boolean;
  /** The page's `.code` shows the whole stage file instead of what changed. */
  wholeFile: boolean;
  /** The page's `.code` shows the helpers the stage imports from src/stage/ instead. */
  helpers: boolean;
}

/** What a page offers beyond its text. */
export interface PageShape {
  /** It shows the stage's code (`.code`), so f toggles the whole file. */
  code: boolean;
  /** Its stage imports helpers of its own, so i shows them in place of the stage's code. */
  helpers: boolean;
  /** The lesson's hint is about what this page shows: the demo, or the learner's turn after it. */
  hint: boolean;
}

/** For each lesson of the walk, for each page: what it offers. */
export type Shape = PageShape[][];

export function firstPlace(lesson: number): Place {
  return { lesson, page: 0, hint: false, wholeFile: false, helpers: false };
}

/**
 * The page an action leads to, `'end'` past the last page of the last lesson, or `'quit'`.
 * An action that changes nothing (r on a page that works, b on the very first page, f on a page
 * without code, i where the stage has no helpers, h before the page the hint is about) returns
 * `place` itself, so nothing needs drawing again. `redraw` (the terminal changed size) returns a copy: the same page, drawn again.
 */
export function move(place: Place, action: Action, shape: Shape): Place | 'end' | 'quit' {
  const pages = shape[place.lesson].length;
  switch (action) {
    case 'quit':
      return 'quit';
    case 'hint':
      return place.hint || !shape[place.lesson][place.page].hint ? place : { ...place, hint: true };
    case 'file':
      return shape[place.lesson][place.page].code
        ? {
            ...place,
            wholeFile: place.helpers ? place.wholeFile : !place.wholeFile,
            helpers: false,
          }
        : place;
    case 'helpers':
      return shape[place.lesson][place.page].helpers
        ? { ...place, helpers: !place.helpers }
        : place;
    case 'restart':
    case 'exercise': // the walkthrough runs the exercise; the page stays
      return place;
    case 'redraw':
      return { ...place };
    case 'back':
      if (place.page > 0) return { ...firstPlace(place.lesson), page: place.page - 1 };
      if (place.lesson === 0) return place;
      return { ...firstPlace(place.lesson - 1), page: shape[place.lesson - 1].length - 1 };
    case 'next':
      if (place.page < pages - 1) return { ...firstPlace(place.lesson), page: place.page + 1 };
      return place.lesson < shape.length - 1 ? firstPlace(place.lesson + 1) : 'end';
  }
}

/** Whether `back` leads anywhere from `place`: not from the first page of the walk. */
export function canGoBack(place: Place): boolean {
  return place.lesson > 0 || place.page > 0;
}
