import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { commandsToCopy, renderMarkdown } from '../src/cli/markdown.js';
import { asCommand } from '../src/cli/render.js';
import { Screen, screenRows } from '../src/cli/screen.js';
import { widthFor } from '../src/cli/width.js';
import { directiveLine, findLesson, listLessons, readPages } from '../src/course/catalog.js';
import { Terminal } from './hardening/terminal.js';
import { cliPath, freshHome, waitForOutput } from './helpers.js';

// The pager in a small real terminal (tmux, 80×24): pages taller than the screen scroll between
// a header and a key line that stay put.

let terminal: Terminal | undefined;
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

const size = { columns: 80, rows: 24 };

/**
 * The page's text parts as the tutor draws them at 80 columns, one trimmed row each (a command to
 * copy wider than the screen takes rows cut at its edge there, which the terminal joins).
 */
function textRows(page: string, url: string): string[][] {
  return page
    .split(directiveLine)
    .filter((_, i) => i % 2 === 0) // the text between the directives
    .filter((part) => part.trim() !== '' && !part.includes('{{secret}}'))
    .map((part) =>
      screenRows(renderMarkdown(part.replaceAll('{{url}}', url), widthFor(80)), size.columns).map(
        (row) => stripVTControlCharacters(row).trimEnd(),
      ),
    );
}

describe('the pager at 80×24', () => {
  it('reaches every row of every page of the course, with the header on every screen', async () => {
    const t = new Terminal(
      `${process.execPath} ${cliPath} start --port 0`,
      { SESSION_TUTOR_HOME: freshHome() },
      process.cwd(),
      size,
    );
    terminal = t;
    const lessons = listLessons();
    let scrolled = 0;
    for (const lesson of lessons) {
      const pages = readPages(lesson);
      for (let p = 0; p < pages.length; p++) {
        const here = new RegExp(
          `^Lesson ${lesson.number} of ${lessons.length} [\\s\\S]*page ${p + 1}/${pages.length} +\\[Enter\\]`,
        );
        await t.waitFor(here, 90_000, () => t.visible());
        const { rows, screens } = await t.readPage();
        for (const screen of screens) {
          expect(screen.split('\n')[0]).toMatch(`Lesson ${lesson.number} of ${lessons.length} · `);
          expect(screen.split('\n').length).toBeLessThanOrEqual(size.rows + 1);
        }
        if (screens.length > 1) scrolled++;
        const url = screens[0].match(/running at (http:\/\/localhost:\d+)/)?.[1] as string;
        const text = rows.map((row) => row.trimEnd()).join('\n');
        for (const part of textRows(pages[p], url)) expect(text).toContain(part.join('\n'));
        if (/^\.demo$/m.test(pages[p])) expect(text).toMatch(/^[✔✘–] /m); // the verdicts
        if (/^\.code$/m.test(pages[p])) expect(text).toContain('── src/stage/stages/');
        t.keys('Enter');
      }
    }
    // the course is long enough that some pages did not fit
    expect(scrolled).toBeGreaterThan(0);
    expect((await t.ended()).code).toBe(0);
  }, 600_000);

  it('moves a row at a time with ↑ and ↓, and to the last rows with End', async () => {
    const t = new Terminal(
      `${process.execPath} ${cliPath} lesson 8 --port 0`,
      { SESSION_TUTOR_HOME: freshHome() },
      process.cwd(),
      size,
    );
    terminal = t;
    await t.pageUntil(/lines \d+-\d+ of \d+/);
    t.keys('Home');
    let screen = await t.waitFor(/lines 1-(\d+) of (\d+)/, 15_000, () => t.visible());
    const [, last, total] = (screen.match(/lines 1-(\d+) of (\d+)/) as RegExpMatchArray).map(
      Number,
    );
    t.keys('Down');
    await t.waitFor(new RegExp(`lines 2-${last + 1} of ${total}`), 15_000, () => t.visible());
    t.keys('Up');
    await t.waitFor(new RegExp(`lines 1-${last} of ${total}`), 15_000, () => t.visible());
    t.keys('End');
    screen = await t.waitFor(new RegExp(`lines \\d+-${total} of ${total}`), 15_000, () =>
      t.visible(),
    );
    expect(screen.split('\n')[0]).toMatch(/^Lesson 8 of /);
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
  });
});

describe('a command wider than the screen', () => {
  it('is written in rows back to back, never erased at the edge, and shows its tail when scrolled', () => {
    const out = Object.assign(new EventEmitter(), {
      columns: 20,
      rows: 8,
      written: '',
      write(text: string) {
        this.written = text;
        return true;
      },
    });
    const screen = new Screen(out as unknown as NodeJS.WriteStream);
    try {
      screen.begin('header', false);
      screen.write(
        `prose\n${asCommand('npx session-tutor serve 11 --port 0')}\nmore prose\nend\nof\nthe page`,
      );
      // 34 columns: a full row of 20, then the rest on the terminal's next row, with no newline
      expect(out.written).toContain('\r\nnpx session-tutor se');
      expect(out.written).toContain('npx session-tutor serve 11 --port 0\x1b[K');
      expect(out.written).not.toContain('tutor se\x1b[K');
      screen.scroll('down');
      screen.scroll('down');
      expect(out.written).toContain(
        'header\x1b[K\r\n\x1b[K\r\nrve 11 --port 0\x1b[K\r\nmore prose',
      );
    } finally {
      screen.close();
    }
  });
});

describe('a command wider than a 60-column terminal', () => {
  it.each([
    [11, /Try it in your browser/],
    [2, /Setting the secret/],
  ])(
    'on lesson %i is drawn whole, wrapped by the terminal, and copies as one line',
    async (number, heading) => {
      const commands = readPages(findLesson(number))
        .filter((page) => heading.test(page))
        .flatMap(commandsToCopy);
      const wide = commands.filter((command) => command.length + 4 > 60);
      expect(wide.length).toBeGreaterThan(0);
      const t = new Terminal(
        `${process.execPath} ${cliPath} lesson ${number} --port 0`,
        { SESSION_TUTOR_HOME: freshHome() },
        process.cwd(),
        { columns: 60, rows: 24 },
      );
      terminal = t;
      await t.pageUntil(heading);
      t.keys('Home');
      await t.waitFor(/page \d+\/\d+ +\[Enter\]/, 15_000, () => t.visible());
      // row by row down the page, until every command has been on the screen whole
      const seen = new Set<string>();
      const split = new Set<string>(); // seen whole only once the terminal's soft wraps are joined
      for (let step = 0; step < 60 && seen.size < commands.length; step++) {
        const lines = t
          .joined()
          .split('\n')
          .map((line) => line.trim());
        const rows = t
          .visible()
          .split('\n')
          .map((row) => row.trim());
        for (const command of commands.filter((c) => lines.includes(c))) {
          seen.add(command);
          if (!rows.includes(command)) split.add(command);
        }
        const at = t.visible().match(/lines (\d+)-(\d+) of (\d+)/);
        if (!at || at[2] === at[3]) break;
        t.keys('Down');
        await t.waitFor(new RegExp(`lines ${Number(at[1]) + 1}-`), 15_000, () => t.visible());
      }
      expect([...seen].sort()).toEqual([...commands].sort());
      // the wide ones take more than a row: the terminal wrapped them, and joins them again
      expect([...split].sort()).toEqual([...wide].sort());
      t.keys('q');
      expect((await t.ended()).code).toBe(0);
    },
    60_000,
  );
});

describe('a terminal that reports no size', () => {
  it('gets the first page drawn at 80×24, not an empty screen', async () => {
    // util-linux `script` gives the tutor a pseudo-terminal of 0 rows and 0 columns
    const command = `${process.execPath} ${cliPath} start --port 0`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const closed = once(child, 'close');
    try {
      await waitForOutput(child, /Lesson 1 of \d+[\s\S]*\[Enter\] next/, 30_000);
    } finally {
      child.stdin?.end('q'); // through the pseudo-terminal, as a learner quits
      await closed;
    }
  }, 60_000);
});
