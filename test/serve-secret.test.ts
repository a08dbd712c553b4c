import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageOf } from '../src/probe/html.js';
import { greets } from '../src/probe/verdict.js';
import { Visitor } from '../src/probe/visitor.js';
import { hasNodeSqlite } from '../src/stage/stores/sqlite.js';
import { freshHome, spawnCli, waitForOutput } from './helpers.js';

// SESSION_SECRET unset (an empty value counts as unset), as a learner following lesson 9 has it
const noSecret = { SESSION_SECRET: '' };

/** Starts `serve`, waits for its address and the line about its secret; the caller must stop it. */
async function serve(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawnCli(['serve', ...args], env);
  const exited = once(child, 'close');
  try {
    const [said, url] = await waitForOutput(
      child,
      /running at (http:\/\/\S+)\n[\s\S]*Ctrl-C/,
      20_000,
    );
    // what it says wraps at words to the terminal: read as one line
    return { child, url, said: said.replace(/\s+/g, ' '), exited };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** Ends `serve` as a learner does, with Ctrl-C, and waits until it has exited. */
async function pressCtrlC(run: { child: ChildProcess; exited: Promise<unknown> }) {
  run.child.kill('SIGINT');
  await run.exited;
}

describe('serve without SESSION_SECRET', () => {
  it('signs with a development secret kept in the tutor home, mode 0600, and says so', async () => {
    const home = freshHome();
    const file = join(home, 'development-secret');
    const said: string[] = [];
    for (let run = 0; run < 2; run++) {
      const served = await serve(['5', '--port', '0'], { ...noSecret, SESSION_TUTOR_HOME: home });
      await pressCtrlC(served);
      said.push(served.said);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    for (const text of said) {
      expect(text).toContain(
        `cookies are signed with a development secret kept in ${file} (readable by you only), so they still verify after a restart`,
      );
      expect(text).not.toContain(secret);
    }
  });

  it('says when its secret lasts for this run only (production, where no secret is made up)', async () => {
    const home = freshHome();
    const served = await serve(['5', '--port', '0'], {
      ...noSecret,
      NODE_ENV: 'production',
      SESSION_TUTOR_HOME: home,
    });
    await pressCtrlC(served);
    expect(served.said).toContain('SESSION_SECRET is not set: the secret lasts for this run only');
    expect(existsSync(join(home, 'development-secret'))).toBe(false);
  });
});

describe('serve where the tutor home cannot hold the secret', () => {
  it('says the secret lasts for this run only, and why', async () => {
    const home = join(freshHome(), 'a-file');
    writeFileSync(home, 'not a folder');
    const served = await serve(['5', '--port', '0'], { ...noSecret, SESSION_TUTOR_HOME: home });
    await pressCtrlC(served);
    expect(served.said).toContain(
      `SESSION_SECRET is not set and ${join(home, 'development-secret')} cannot be used (ENOTDIR): the secret lasts for this run only`,
    );
  });
});

// node:sqlite is Node 22.13 or newer; CI's Node 24 leg runs this
describe.skipIf(!hasNodeSqlite())("lesson 9's exercise, word for word", () => {
  it('serve 9 --store sqlite, Ctrl-C, start it again, reload: still remembered', async () => {
    const env = { ...noSecret, SESSION_TUTOR_HOME: freshHome() };
    const browser = new Visitor('the learner’s browser', 'jar');
    try {
      const first = await serve(['9', '--store', 'sqlite', '--port', '0'], env);
      const port = new URL(first.url).port;
      const posted = await browser.post(`http://127.0.0.1:${port}/setName`, { name: 'Ada' });
      expect(greets(posted.at(-1), 'Ada')).toBe(true);
      await pressCtrlC(first);

      const second = await serve(['9', '--store', 'sqlite', '--port', port], env);
      try {
        const [reloaded] = await browser.get(`http://127.0.0.1:${port}/`);
        expect(greets(reloaded, 'Ada')).toBe(true);
        // the page dates the session before this server's start: it outlived the restart
        const [, began, started] =
          pageOf(reloaded)
            .text()
            .match(/began at ([^;]+); this server started at (\S+Z)/) ?? [];
        expect(new Date(began).getTime()).toBeLessThan(new Date(started).getTime());
      } finally {
        await pressCtrlC(second);
      }
    } finally {
      await browser.close();
    }
  });
});
