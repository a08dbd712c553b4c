import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli, spawnCli, waitForOutput } from './helpers.js';

/**
 * A stand-in for the learner's browser: with no desktop session, xdg-open (which the `open`
 * package runs on Linux) hands the URL to $BROWSER, here a script that writes down what it got.
 */
function fakeBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'session-tutor-browser-'));
  const log = join(dir, 'opened');
  const script = join(dir, 'browser');
  writeFileSync(script, `#!/bin/sh\necho "$1" >> '${log}'\n`);
  chmodSync(script, 0o755);
  return {
    env: {
      BROWSER: script,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
      XDG_CURRENT_DESKTOP: undefined,
      DESKTOP_SESSION: undefined,
    },
    opened: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}

describe('--open', () => {
  it('serve N --open hands the stage address to the default browser', async () => {
    const browser = fakeBrowser();
    const child = spawnCli(['serve', '5', '--port', '0', '--open'], browser.env);
    try {
      const [, url] = await waitForOutput(child, /running at (http:\/\/localhost:\d+)/);
      await vi.waitFor(() => expect(browser.opened()).toEqual([url]), { timeout: 5000 });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it("lesson N --open opens the lesson's address, and without --open nothing is opened", async () => {
    const browser = fakeBrowser();
    const run = await runCli(['lesson', '5', '--yes', '--port', '0', '--open'], browser.env);
    expect(run.code).toBe(0);
    // the header wraps at words to the terminal: read it as one line
    const flat = run.stdout.replace(/\s+/g, ' ');
    const url = flat.match(/running at (http:\/\/localhost:\d+)/)?.[1];
    expect(flat).toContain('opening it in your default browser');
    await vi.waitFor(() => expect(browser.opened()).toEqual([url]), { timeout: 5000 });

    const quiet = fakeBrowser();
    const without = await runCli(['lesson', '5', '--yes', '--port', '0'], quiet.env);
    expect(without.stdout).toMatch(/running at http:\/\/localhost:\d+/);
    expect(without.stdout).not.toContain('opening it');
    expect(quiet.opened()).toEqual([]);
  });
});
