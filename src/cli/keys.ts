import { emitKeypressEvents } from 'node:readline';
import type { Action } from './pager.js';
import type { Scroll } from './screen.js';
import { interrupt, onShutdown } from './shutdown.js';

const bindings: Record<string, Action> = {
  return: 'next',
  enter: 'next',
  space: 'next',
  right: 'next',
  n: 'next',
  b: 'back',
  left: 'back',
  h: 'hint',
  f: 'file',
  i: 'helpers',
  r: 'restart',
  e: 'exercise',
  q: 'quit',
  escape: 'quit',
};

// Scrolling moves the view, not the walk: it works at any time, during a demo too.
const scrolling: Record<string, Scroll> = {
  up: 'up',
  down: 'down',
  pageup: 'pageUp',
  pagedown: 'pageDown',
  home: 'home',
  end: 'end',
};

/**
 * Reads single key presses from a terminal. Raw mode is switched off again on every
 * exit path, so the learner's terminal is always left as it was.
 */
export class KeyReader {
  private readonly stdin = process.stdin;
  private readonly removeCleanup: () => void;
  private readonly quitting = new AbortController();
  private waiting = false;
  /** Aborted when q is pressed while the tutor is busy (a demo runs), so the busy work can stop. */
  readonly quitSignal = this.quitting.signal;
  /** Where scroll keys go. */
  onScroll: (how: Scroll) => void = () => {};

  constructor() {
    emitKeypressEvents(this.stdin);
    this.stdin.setRawMode(true);
    this.stdin.resume();
    this.stdin.on('keypress', this.onAnyKey);
    this.removeCleanup = onShutdown(() => this.close());
  }

  // Listens all the time, not only while a page waits for a key: Ctrl-C and q must work mid-demo.
  private readonly onAnyKey = (
    _text: string | undefined,
    key: { name?: string; ctrl?: boolean } | undefined,
  ) => {
    // raw mode turns Ctrl-C into a key: it ends the tutor as the signal does
    if (key?.ctrl && key.name === 'c') void interrupt();
    else if (key?.name && !key.ctrl && scrolling[key.name]) this.onScroll(scrolling[key.name]);
    else if (!this.waiting && key?.name && bindings[key.name] === 'quit') this.quitting.abort();
  };

  next(): Promise<Action> {
    if (this.quitSignal.aborted) return Promise.resolve('quit');
    this.waiting = true;
    return new Promise((resolve) => {
      const onKey = (
        _text: string | undefined,
        key: { name?: string; ctrl?: boolean } | undefined,
      ) => {
        const action = key?.name && !key.ctrl ? bindings[key.name] : undefined;
        if (action) finish(action);
      };
      // a terminal that changed size gets the page drawn again to its new width
      const onResize = () => finish('redraw');
      const finish = (action: Action) => {
        this.waiting = false;
        this.stdin.off('keypress', onKey);
        process.stdout.off('resize', onResize);
        resolve(action);
      };
      this.stdin.on('keypress', onKey);
      process.stdout.on('resize', onResize);
    });
  }

  close(): void {
    this.stdin.off('keypress', this.onAnyKey);
    if (this.stdin.isTTY) this.stdin.setRawMode(false);
    this.stdin.pause();
    this.removeCleanup();
  }
}
