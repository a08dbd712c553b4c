import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findLesson, listLessons } from '../src/course/catalog.js';
import { somebodyListensOn } from './hardening/leftovers.js';
import { Terminal } from './hardening/terminal.js';
import { cliPath, freshHome, runCli } from './helpers.js';

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
    // the first page of the course: nothing to go back to, and the hint is about the demo
    expect(screen).toMatch(/page 1\/\d+ +\[Enter\] next +\[q\] quit/);
    const port = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);

    t.keys('Enter');
    screen = await t.waitFor(/page 2\/\d+/);
    expect(screen).toContain("res.send('Hello from Express!");

    t.keys('b');
    await t.waitFor(/page 1\/\d+ .*\n*$/);
    t.keys('Enter');
    await t.waitFor(/page 2\/\d+ .*\n*$/);
    t.keys('Enter');
    screen = await t.waitFor(/page 3\/\d+ +\[Enter\].*\[h\] hint/);
    expect(screen).toMatch(/✔ the same visitor, twice: forgotten/);
    t.keys('h');
    screen = await t.waitFor(/Hint: Look at the two requests/);
    expect(screen).not.toContain('[h] hint');

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

    await t.pageUntil(/\[f\] whole file/);
    let screen = (await t.readPage()).rows.join('\n');
    expect(screen).toContain(
      `── ${file}: what changed since stage 4 (the file has ${total} lines)`,
    );
    const changed = shownLineNumbers(screen, file);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(total);
    expect(screen).toMatch(/^ *\d+ \+ /m); // a line new in stage 5
    expect(screen).toContain('⋮'); // where unchanged lines are left out

    const page = t.visible().match(/page (\d+)\/\d+ +\[Enter\]/)?.[1];
    t.keys('f');
    await t.waitFor(/\[f\] changes only/);
    screen = (await t.readPage()).rows.join('\n');
    expect(screen).toContain('the whole file');
    expect(shownLineNumbers(screen, file)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    t.keys('f');
    await t.waitFor(/\[f\] whole file/);
    screen = (await t.readPage()).rows.join('\n');
    expect(screen).toContain('what changed since stage 4');
    expect(shownLineNumbers(screen, file)).toEqual(changed);
    expect(t.visible().match(/page (\d+)\/\d+ +\[Enter\]/)?.[1]).toBe(page);

    t.keys('q');
    expect((await t.ended()).code).toBe(0);
  });

  it('shows on i the helpers the stage calls, line for line from src/stage/, and its code again on i', async () => {
    const t = startInTerminal('start --port 0 --from 5');
    await t.pageUntil(/\[i\] helpers/);
    const page = t.visible().match(/page (\d+)\/\d+ +\[Enter\]/)?.[1];
    t.keys('i');
    await t.waitFor(/\[i\] stage code/);
    const screen = (await t.readPage()).rows.join('\n');
    expect(screen).not.toContain('05-remember.ts');
    // every helper stage 5 imports, under the name of its file, each line as that file has it
    const imported = {
      'name.ts': ['nameFromForm', 'refuseBrokenEncoding'],
      'pages.ts': ['escapeHtml', 'formPage', 'page', 'problemPage'],
      'panel.ts': ['whatTheServerSees'],
    };
    for (const [file, names] of Object.entries(imported)) {
      expect(screen).toContain(`── src/stage/${file}: ${names.join(', ')} ──`);
      const lines = readFileSync(join('src/stage', file), 'utf8').split('\n');
      const shown = shownLineNumbers(screen, `src/stage/${file}`);
      expect(shown.length).toBeGreaterThan(0);
      const listing = screen.slice(screen.lastIndexOf(`── src/stage/${file}`)).split(/\n\s*\n/)[0];
      for (const n of shown.slice(0, 5)) {
        const code = lines[n - 1].trim();
        if (code !== '')
          expect(listing).toContain(
            `${String(n).padStart(3)}   ${lines[n - 1]}`.trimEnd().slice(0, 70),
          );
      }
      for (const name of names) expect(listing).toMatch(new RegExp(`\\b${name}\\b`));
    }
    // page() escapes the title: the line that does it is among those shown
    expect(screen).toContain(`<title>\${escapeHtml(title)}</title>`);

    t.keys('i');
    await t.waitFor(/\[i\] helpers/);
    const back = (await t.readPage()).rows.join('\n');
    expect(back).toContain('── src/stage/stages/05-remember.ts: what changed since stage 4');
    expect(t.visible().match(/page (\d+)\/\d+ +\[Enter\]/)?.[1]).toBe(page);
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
  });

  it('wraps a hint at the page width, never leaving punctuation alone on a line', async () => {
    const t = startInTerminal('start --port 0 --from 6');
    await t.pageUntil(/\[h\] hint/);
    t.keys('h');
    const screen = await t.waitFor(/Hint:[\s\S]*\n\s*\n(lines \d+-\d+ of \d+ +)?page \d+\//);
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

describe('the end of a walk', () => {
  const names = listLessons().map((l) => l.name);
  const homeWith = (done: string[]) => {
    const home = freshHome();
    writeFileSync(join(home, 'progress.json'), JSON.stringify({ done }));
    return home;
  };
  const inTerminal = (args: string, home: string) => {
    terminal = new Terminal(`${process.execPath} ${cliPath} ${args}`, { SESSION_TUTOR_HOME: home });
    return terminal;
  };

  it('after q during a demo, says where start picks up, with no empty summary', async () => {
    const t = inTerminal('start --port 0 --from 7', homeWith(names.slice(0, 6)));
    await t.pageUntil(/waiting/);
    t.keys('q');
    const end = await t.ended();
    expect(end.code).toBe(0);
    expect(end.screen).toMatch(
      /Stopped\. To pick up at lesson 7:\n {2}npx session-tutor start\nEXIT=0/,
    );
    expect(end.screen).not.toContain('Summary');
  });

  it('does not count a lesson that b and Enter only passed through', async () => {
    const home = homeWith(names.slice(0, 3));
    const t = inTerminal('start --port 0 --from 5', home);
    await t.waitFor(/Lesson 5 of[\s\S]*page 1\/\d+ +\[Enter\]/);
    t.keys('b');
    await t.waitFor(/Lesson 4 of[\s\S]*page \d+\/\d+ +\[Enter\]/);
    t.keys('Enter');
    await t.waitFor(/Lesson 5 of[\s\S]*page 1\/\d+ +\[Enter\]/);
    t.keys('q');
    const end = await t.ended();
    expect(end.screen).not.toMatch(/4 Store the name/);
    expect(end.screen).toContain('To pick up at lesson 4:');
    expect(JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8')).done).toEqual(
      names.slice(0, 3),
    );
  });

  it('after the last lesson, says the course is finished and what to try next', async () => {
    const run = await runCli(['start', '--yes', '--port', '0'], {
      SESSION_TUTOR_HOME: homeWith(names.slice(0, -1)),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`You have finished the course: all ${names.length} lessons.`);
    // only commands this program has, each on a line of its own: the exercises first
    expect(run.stdout).toMatch(/What next:\n {2}npx session-tutor exercise <n>\n/);
    expect(run.stdout).toMatch(/^ {2}npx session-tutor check --all\n/m);
    const help = (await runCli(['--help'])).stdout;
    for (const [, command] of run.stdout.matchAll(/^ {2}npx session-tutor (\w+)/gm))
      expect(help).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });

  it('once every lesson is done, quitting does not send the learner back to lesson 1', async () => {
    const t = inTerminal('start --port 0', homeWith(names));
    await t.waitFor(/page 1\/\d+ +\[Enter\]/);
    t.keys('q');
    const end = await t.ended();
    expect(end.screen).toMatch(
      /Every lesson is done\. To open one again:\n {2}npx session-tutor lesson N\n/,
    );
    expect(end.screen).not.toContain('pick up at lesson');
  });
});

describe('two copies of the tutor', () => {
  it('a second walk says another copy is running, until that one quits', async () => {
    const home = freshHome();
    const t = new Terminal(`${process.execPath} ${cliPath} start --port 0`, {
      SESSION_TUTOR_HOME: home,
    });
    terminal = t;
    await t.waitFor(/page 1\/\d+ +\[Enter\]/);
    const first = t.cliPid();
    const second = await runCli(['lesson', '1', '--yes', '--port', '0'], {
      SESSION_TUTOR_HOME: home,
    });
    // the header wraps at words to the terminal: read it as one line
    expect(second.stdout.replace(/\s+/g, ' ')).toContain(
      `another session-tutor is running as process ${first}: press q there to quit it`,
    );
    t.keys('q');
    expect((await t.ended()).code).toBe(0);
    const third = await runCli(['lesson', '1', '--yes', '--port', '0'], {
      SESSION_TUTOR_HOME: home,
    });
    expect(third.code).toBe(0);
    expect(third.stdout).not.toContain('another session-tutor');
  });
});
