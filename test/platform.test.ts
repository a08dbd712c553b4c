import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keptPrivate } from '../src/cli/commands/serve.js';
import { canDrawSymbols } from '../src/cli/glyphs.js';
import { tutorHome } from '../src/home.js';
import { freshHome, runCli } from './helpers.js';

// What differs between Windows, macOS and Linux, decided from the platform and environment given.

describe("the tutor's home", () => {
  it('is %APPDATA%\\session-tutor on Windows', () => {
    const env = {
      APPDATA: 'C:\\Users\\Ada\\AppData\\Roaming',
      XDG_CONFIG_HOME: join(tmpdir(), 'none-here'),
    };
    expect(tutorHome(env, 'win32')).toBe('C:\\Users\\Ada\\AppData\\Roaming\\session-tutor');
  });

  it('stays where an earlier version made it on Windows, so no progress is lost', () => {
    const old = 'C:\\Users\\Ada\\.config\\session-tutor';
    const env = {
      APPDATA: 'C:\\Users\\Ada\\AppData\\Roaming',
      XDG_CONFIG_HOME: 'C:\\Users\\Ada\\.config',
    };
    expect(tutorHome(env, 'win32', (path) => path === old)).toBe(old);
    expect(tutorHome(env, 'win32', () => false)).toBe(
      'C:\\Users\\Ada\\AppData\\Roaming\\session-tutor',
    );
  });

  it('is $XDG_CONFIG_HOME/session-tutor on macOS and Linux, and SESSION_TUTOR_HOME wins everywhere', () => {
    expect(tutorHome({ XDG_CONFIG_HOME: '/home/ada/.config' }, 'linux')).toBe(
      '/home/ada/.config/session-tutor',
    );
    expect(tutorHome({ SESSION_TUTOR_HOME: 'D:\\tutor', APPDATA: 'C:\\x' }, 'win32')).toBe(
      'D:\\tutor',
    );
  });
});

describe('the development secret file', () => {
  it('is called readable by you only where its mode says so, and not on Windows', () => {
    expect(keptPrivate('linux')).toBe('readable by you only');
    expect(keptPrivate('darwin')).toBe('readable by you only');
    expect(keptPrivate('win32')).toBe('as private as the folder it is in');
  });
});

describe('✔ ✘ ▶ ■ □ or ASCII', () => {
  it('draws symbols in terminals known to, ASCII in the old Windows console and the Linux console', () => {
    expect(canDrawSymbols({ TERM: 'xterm-256color' }, 'linux')).toBe(true);
    expect(canDrawSymbols({}, 'darwin')).toBe(true);
    expect(canDrawSymbols({ TERM: 'linux' }, 'linux')).toBe(false);
    expect(canDrawSymbols({ TERM: 'dumb' }, 'darwin')).toBe(false);
    expect(canDrawSymbols({}, 'win32')).toBe(false);
    expect(canDrawSymbols({ WT_SESSION: 'x' }, 'win32')).toBe(true);
    expect(canDrawSymbols({ TERM_PROGRAM: 'vscode' }, 'win32')).toBe(true);
    expect(canDrawSymbols({ SESSION_TUTOR_ASCII: '1', WT_SESSION: 'x' }, 'win32')).toBe(false);
    expect(canDrawSymbols({ SESSION_TUTOR_ASCII: '0' }, 'win32')).toBe(true);
  });

  it('with SESSION_TUTOR_ASCII=1, the course, its summary and the list use ASCII marks only', async () => {
    const home = freshHome();
    const env = { SESSION_TUTOR_HOME: home, SESSION_TUTOR_ASCII: '1' };
    const run = await runCli(['lesson', '1', '--yes', '--port', '0'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\+ the same visitor, twice: forgotten/m);
    expect(run.stdout).toMatch(/^\+ {2}1 The goldfish: 1\/1/m);
    const list = await runCli(['list'], env);
    expect(list.stdout).toMatch(/^\+ {2}1 {2}The goldfish/m);
    expect(list.stdout).toMatch(/^> {2}2 {2}/m);
    for (const output of [run.stdout, list.stdout]) expect(output).not.toMatch(/[✔✘▶◀■□]/);
  });
});

describe('pages that turn by themselves', () => {
  it('say once why when stdin is not a terminal and --yes was not given', async () => {
    const run = await runCli(['lesson', '1', '--port', '0']);
    expect(run.code).toBe(0);
    const note = 'Pages turn by themselves: the input is not a terminal, so no key can be read.';
    expect(run.stdout.split(note).length - 1).toBe(1);
    expect(run.stdout.indexOf(note)).toBeLessThan(run.stdout.indexOf('Lesson 1 of'));
    const yes = await runCli(['lesson', '1', '--port', '0', '--yes']);
    expect(yes.stdout).not.toContain('Pages turn by themselves');
  });
});
