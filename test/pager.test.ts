import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { canGoBack, firstPlace, move, type PageShape, type Place } from '../src/cli/pager.js';
import { drawHops, wrapText } from '../src/cli/render.js';
import { cut } from '../src/cli/width.js';
import { listLessons } from '../src/course/catalog.js';
import type { Hop } from '../src/probe/hop.js';

// Two lessons: the first with 3 pages (the second shows code, the third is the one its hint is
// about), the second with 2 (the first shows code, and its stage has no helpers of its own; the
// hint is about both).
const page = (code: boolean, hint: boolean, helpers = code): PageShape => ({ code, hint, helpers });
const shape = [
  [page(false, false), page(true, false), page(false, true)],
  [page(true, true, false), page(false, true)],
];
const at = (lesson: number, page: number): Place => ({ ...firstPlace(lesson), page });

describe('the pager', () => {
  it('goes forward page by page, into the next lesson, and ends after the last page', () => {
    expect(move(at(0, 0), 'next', shape)).toEqual(at(0, 1));
    expect(move(at(0, 2), 'next', shape)).toEqual(at(1, 0));
    expect(move(at(1, 1), 'next', shape)).toBe('end');
  });

  it('goes back into the last page of the lesson before, and stays on the very first page', () => {
    expect(move(at(0, 2), 'back', shape)).toEqual(at(0, 1));
    expect(move(at(1, 0), 'back', shape)).toEqual(at(0, 2));
    const first = at(0, 0);
    expect(move(first, 'back', shape)).toBe(first);
    expect(canGoBack(first)).toBe(false); // so the key line does not offer it
    expect(canGoBack(at(1, 0))).toBe(true);
  });

  it('toggles the whole file only on a page that shows code, and shows a hint once', () => {
    const code = at(0, 1);
    const whole = move(code, 'file', shape) as Place;
    expect(whole.wholeFile).toBe(true);
    expect((move(whole, 'file', shape) as Place).wholeFile).toBe(false);
    const text = at(0, 0);
    expect(move(text, 'file', shape)).toBe(text);
    // the hint is about a later page: h does nothing here
    expect(move(text, 'hint', shape)).toBe(text);
    const demo = at(0, 2);
    const hinted = move(demo, 'hint', shape) as Place;
    expect(hinted.hint).toBe(true);
    expect(move(hinted, 'hint', shape)).toBe(hinted);
    // a new page starts plain
    expect(move({ ...whole, hint: true }, 'next', shape)).toEqual(at(0, 2));
    // a terminal that changed size: the same page, drawn again
    const redrawn = move(demo, 'redraw', shape);
    expect(redrawn).toEqual(demo);
    expect(redrawn).not.toBe(demo);
  });

  it('shows the helpers the stage imports on a code page with i, and its code again with i or f', () => {
    const code = at(0, 1);
    const whole = move(code, 'file', shape) as Place;
    const helpers = move(whole, 'helpers', shape) as Place;
    expect(helpers).toEqual({ ...whole, helpers: true });
    expect(move(helpers, 'helpers', shape)).toEqual(whole);
    // f leaves the helpers for the code as it was shown before
    expect(move(helpers, 'file', shape)).toEqual(whole);
    expect(move(helpers, 'next', shape)).toEqual(at(0, 2));
    // no code on the page, or no helpers in its stage: i does nothing
    const text = at(0, 0);
    expect(move(text, 'helpers', shape)).toBe(text);
    const plain = at(1, 0);
    expect(move(plain, 'helpers', shape)).toBe(plain);
  });

  it('quits on q, and r changes nothing on a page that works', () => {
    const place = at(1, 1);
    expect(move(place, 'quit', shape)).toBe('quit');
    expect(move(place, 'restart', shape)).toBe(place);
  });
});

describe('text drawn to a width', () => {
  it('never leaves punctuation alone at the start of a line', () => {
    for (const lesson of listLessons()) {
      for (let width = 30; width <= 100; width++) {
        const lines = wrapText(`Hint: ${lesson.hint}`, width).split('\n');
        for (const line of lines) expect(line).not.toMatch(/^[.,;:!?)]+$/);
        expect(lines.join(' ')).toBe(`Hint: ${lesson.hint}`);
      }
    }
    // punctuation set apart by a space stays on the line before, a column past the width
    const wrapped = wrapText('look at the Cookie line it sent on the next request .', 52);
    expect(wrapped).toBe('look at the Cookie line it sent on the next request .');
  });

  it('counts wide characters as two columns when it wraps and cuts', () => {
    const wide = '日本語のテキスト'; // 8 characters, 16 columns
    expect(stringWidth(cut(wide, 9))).toBeLessThanOrEqual(9);
    expect(cut(wide, 9)).toBe('日本語の…');
    expect(cut('ascii', 9)).toBe('ascii');
    for (const line of wrapText(`${wide} ${wide} ${wide}`, 20).split('\n'))
      expect(stringWidth(line)).toBeLessThanOrEqual(20);
  });

  it('draws a diagram whose every line is the page width, wide characters included', () => {
    const hop: Hop = {
      method: 'GET',
      url: 'http://127.0.0.1:3000/?name=日本語のテキスト日本語のテキスト日本語のテキスト',
      status: 200,
      body: '',
      keyLine: '<h1>こんにちは、世界</h1>',
      setCookie: ['connect.sid=s%3A日本語; Path=/; HttpOnly'],
      cookieSent: 'connect.sid=日本語のテキスト日本語のテキスト日本語のテキスト',
    };
    const lines = drawHops('訪問者 (cookie jar)', [hop], 60).split('\n');
    // string-width counts ▶ and ◀ as emoji (two columns); terminals draw them in one, as here
    const columns = (line: string) =>
      stringWidth(stripVTControlCharacters(line).replace(/[▶◀]/g, '>'));
    for (const line of lines) expect(columns(line)).toBe(60);
  });
});
