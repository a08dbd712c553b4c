import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { findLesson } from '../src/course/catalog.js';
import { somebodyListensOn } from './hardening/leftovers.js';
import { Terminal } from './hardening/terminal.js';
import { cliPath, freshHome } from './helpers.js';

// The walkthrough driven by real key presses in a real terminal (tmux, see ./hardening/terminal.ts).

let terminal: Terminal | undefined;
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

function startInTerminal(args: string): Terminal {
  terminal = new Terminal(`${process.execPath} ${cliPath} ${args}`, {
    SESSION_TUTOR_HOME: freshHome(),
  });
  return terminal;
}

/** The line numbers shown in the gutter of the last listing of `file` on the screen. */
function shownLineNumbers(screen: string, file: string): number[] {
  const listing = screen.slice(screen.lastIndexOf(`── ${file}`)).split(/\n\s*\n/)[0];
  // a blank line of code is its number alone: tmux drops trailing spaces
  return [...listing.matchAll(/^ *(\d+)(?: [ +] | *$)/gm)].map((m) => Number(m[1]));
}

describe('the interactive walkthrough', () => {
  it('pages forward with Enter, back with b, shows a hint with h, and quits with q', async () => {
    const t = startInTerminal('start --port 0');
    let screen = await t.waitFor(/page 1\/\d+/);
    expect(screen).toContain('Lesson 1 of');
    expect(screen).toContain('HTTP forgets');
    const port = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);

    t.keys('Enter');
    screen = await t.waitFor(/page 2\/\d+/);
    expect(screen).toContain("res.send('Hello from Express!')");

    t.keys('b');
    await t.waitFor(/page 1\/\d+ .*\n*$/);

    t.keys('h');
    await t.waitFor(/Hint: Look at the two requests/);

    t.keys('Enter');
    await t.waitFor(/page 2\/\d+ .*\n*$/);
    t.keys('Enter');
    screen = await t.waitFor(/page 3\/\d+/);
    expect(screen).toMatch(/✔ the same visitor, twice: forgotten/);

    t.keys('q');
    const end = await t.ended();
    expect(end.code).toBe(0);
    expect(end.normalMode).toBe(true);
    expect(somebodyListensOn(port)).toBe(false);
  });

  it('shows only what changed in the stage, and the whole file on f', async () => {
    const t = startInTerminal('start --port 0 --from 5');
    const file = 'src/stage/stages/05-remember.ts';
    const total = readFileSync(findLesson(5).stageSource, 'utf8').trimEnd().split('\n').length;

    let screen = await t.pageUntil(/\[f\] whole file/);
    expect(screen).toContain(
      `── ${file}: what changed since stage 4 (the file has ${total} lines)`,
    );
    const changed = shownLineNumbers(screen, file);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(total);
    expect(screen).toMatch(/^ *\d+ \+ /m); // a line new in stage 5
    expect(screen).toContain('⋮'); // where unchanged lines are left out

    t.keys('f');
    screen = await t.waitFor(/the whole file[\s\S]*\[f\] changes only/);
    expect(shownLineNumbers(screen, file)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const page = screen.match(/page (\d+)\/\d+ +\[Enter\]/g)?.at(-1);

    t.keys('f');
    screen = await t.waitFor(
      /what changed since stage 4(?![\s\S]*the whole file)[\s\S]*\[f\] whole file/,
    );
    expect(shownLineNumbers(screen, file)).toEqual(changed);
    expect(screen.match(/page (\d+)\/\d+ +\[Enter\]/g)?.at(-1)).toBe(page);

    t.keys('q');
    expect((await t.ended()).code).toBe(0);
  });

  it('wraps a hint at the page width, never leaving punctuation alone on a line', async () => {
    const t = startInTerminal('start --port 0 --from 6');
    await t.waitFor(/page 1\/\d+/);
    t.keys('h');
    const screen = await t.waitFor(/Hint:[\s\S]*\n\s*\npage 1\//);
    const hint = screen.slice(screen.lastIndexOf('Hint:')).split(/\n\s*\n/)[0];
    expect(hint.replace(/\s+/g, ' ')).toBe(`Hint: ${findLesson(6).hint}`);
    for (const line of hint.split('\n')) {
      expect(line.length).toBeLessThanOrEqual(88);
      expect(line.trim()).not.toMatch(/^[.,;:!?]+$/);
    }
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
  });

  it('on Ctrl-C stops the demo server, restores the terminal and exits with 130', async () => {
    const t = startInTerminal('start --port 0 --from 5');
    const screen = await t.waitFor(/page 1\/\d+/);
    const port = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);
    expect(somebodyListensOn(port)).toBe(true);
    t.keys('C-c');
    const end = await t.ended();
    expect(end.code).toBe(130);
    expect(end.normalMode).toBe(true);
    expect(somebodyListensOn(port)).toBe(false);
  });

  it('goes back from the first page of a lesson to the last page of the one before', async () => {
    const t = startInTerminal('start --port 0 --from 2');
    await t.waitFor(/Lesson 2 of[\s\S]*page 1\/\d+/);
    t.keys('b');
    const screen = await t.waitFor(/Lesson 1 of[\s\S]*page 4\/4/);
    expect(screen).toContain('Try it in your browser');
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
  });
});
