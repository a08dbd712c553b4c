import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, freshHome } from './helpers.js';

// The walkthrough driven by real key presses in a real terminal: tmux runs the CLI in a pane,
// send-keys types, capture-pane reads the screen.
// Each test gets its own tmux server, so one test's teardown never races the next one's start.
let socket = '';
let tests = 0;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

function startInTerminal(args: string): void {
  tests += 1;
  socket = `session-tutor-test-${process.pid}-${tests}`;
  const home = freshHome();
  // After the CLI exits, show its exit code and whether the terminal is back in canonical mode,
  // then wait on `cat` so the pane stays readable.
  const script = `NO_COLOR=1 SESSION_TUTOR_HOME=${home} ${process.execPath} ${cliPath} ${args}; echo "EXIT=$?"; stty -a | grep -o -- '-\\?icanon'; exec cat`;
  tmux('new-session', '-d', '-s', 'tutor', '-x', '100', '-y', '60', 'sh', '-c', script);
}

async function waitForScreen(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', 'tutor', '-S', '-200');
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the screen never showed ${pattern}; it shows:\n${screen}`);
}

const keys = (...names: string[]) => tmux('send-keys', '-t', 'tutor', ...names);

async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server was left to kill
  }
});

describe('the interactive walkthrough', () => {
  it('pages forward with Enter, back with b, shows a hint with h, and quits with q', async () => {
    startInTerminal('start --port 0');
    let screen = await waitForScreen(/page 1\/\d+/);
    expect(screen).toContain('Lesson 1 of');
    expect(screen).toContain('HTTP forgets');
    const port = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);

    keys('Enter');
    screen = await waitForScreen(/page 2\/\d+/);
    expect(screen).toContain("res.send('Hello from Express!')");

    keys('b');
    await waitForScreen(/page 1\/\d+/);

    keys('h');
    await waitForScreen(/Hint: Look at the two requests/);

    keys('Enter');
    await waitForScreen(/page 2\/\d+/);
    keys('Enter');
    screen = await waitForScreen(/page 3\/\d+/);
    expect(screen).toMatch(/✔ the same visitor, twice: forgotten/);

    keys('q');
    screen = await waitForScreen(/EXIT=\d+\s+-?icanon/);
    expect(screen).toContain('EXIT=0');
    expect(screen).toMatch(/EXIT=0\s+icanon/);
    expect(await portIsFree(port)).toBe(true);
  });

  it('on Ctrl-C stops the demo server, restores the terminal and exits with 130', async () => {
    startInTerminal('start --port 0 --from 5');
    const screen = await waitForScreen(/page 1\/\d+/);
    const port = Number(screen.match(/running at http:\/\/localhost:(\d+)/)?.[1]);
    expect(await portIsFree(port)).toBe(false);
    keys('C-c');
    await waitForScreen(/EXIT=130\s+icanon/);
    expect(await portIsFree(port)).toBe(true);
  });

  it('goes back from the first page of a lesson to the last page of the one before', async () => {
    startInTerminal('start --port 0 --from 2');
    await waitForScreen(/Lesson 2 of[\s\S]*page 1\/\d+/);
    keys('b');
    const screen = await waitForScreen(/Lesson 1 of[\s\S]*page 4\/4/);
    expect(screen).toContain('Try it in your browser');
    keys('q');
    await waitForScreen(/EXIT=0/);
  });
});
