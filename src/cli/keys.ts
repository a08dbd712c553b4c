import { emitKeypressEvents } from 'node:readline';
import { onShutdown } from './shutdown.js';

export type Action = 'next' | 'back' | 'hint' | 'quit';

const bindings: Record<string, Action> = {
  return: 'next',
  enter: 'next',
  space: 'next',
  right: 'next',
  n: 'next',
  b: 'back',
  left: 'back',
  h: 'hint',
  q: 'quit',
  escape: 'quit',
};

/**
 * Reads single key presses from a terminal. Raw mode is switched off again on every
 * exit path, so the learner's terminal is always left as it was.
 */
export class KeyReader {
  private readonly stdin = process.stdin;
  private readonly removeCleanup: () => void;

  constructor() {
    emitKeypressEvents(this.stdin);
    this.stdin.setRawMode(true);
    this.stdin.resume();
    this.removeCleanup = onShutdown(() => this.close());
  }

  next(): Promise<Action> {
    return new Promise((resolve) => {
      const onKey = (
        _text: string | undefined,
        key: { name?: string; ctrl?: boolean } | undefined,
      ) => {
        // raw mode turns Ctrl-C into a key; make it the signal again, so one path handles it
        if (key?.ctrl && key.name === 'c') return void process.kill(process.pid, 'SIGINT');
        const action = key?.name ? bindings[key.name] : undefined;
        if (action) finish(action);
      };
      const finish = (action: Action) => {
        this.stdin.off('keypress', onKey);
        resolve(action);
      };
      this.stdin.on('keypress', onKey);
    });
  }

  close(): void {
    if (this.stdin.isTTY) this.stdin.setRawMode(false);
    this.stdin.pause();
    this.removeCleanup();
  }
}
