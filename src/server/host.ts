import { connect } from 'node:net';
import type { Store } from 'express-session';
import { memoryStore } from '../stage/stores/choose.js';
import {
  type BesideServer,
  PortBusyError,
  type RunningStage,
  type StageRef,
  startStage,
} from './start.js';

export interface HostOptions {
  /** The port to keep for the whole run; when it was not asked for and is busy, a free one is used. */
  port: number;
  portAskedFor: boolean;
  host: string;
  secret: string | string[];
  /** Where sessions live; without one, a MemoryStore made when the first stage's app loads. */
  store?: Store;
}

/**
 * Runs one stage at a time at one address, so the learner's browser tab stays on the same URL
 * from lesson to lesson. It owns the stage it started: switching stops the old one first.
 * One store and one secret serve every stage, so a session made in one lesson lives on in the next.
 */
export class StageHost {
  current: RunningStage | undefined;
  private beside: BesideServer | undefined;
  private port: number;
  private sessions: Promise<Store> | undefined;

  constructor(private readonly options: HostOptions) {
    this.port = options.port;
  }

  /** The run's one store, made on first use: express-session loads after the first page is drawn. */
  private readonly store = (): Promise<Store> => {
    this.sessions ??= this.options.store ? Promise.resolve(this.options.store) : memoryStore();
    return this.sessions;
  };

  /**
   * Stops the running stage, if any, and starts the given one; returns a note when the port had to change.
   * The stage's app loads on its first request or `ready()`, so a lesson's first page need not wait.
   */
  async switchTo(ref: StageRef): Promise<{ stage: RunningStage; note?: string }> {
    await this.stop();
    const { host, secret, portAskedFor } = this.options;
    const lazy = true;
    let note: string | undefined;
    try {
      this.current = await startStage(ref, {
        port: this.port,
        host,
        secret,
        store: this.store,
        lazy,
      });
    } catch (err) {
      if (!(err instanceof PortBusyError) || portAskedFor || this.port === 0) throw err;
      this.current = await startStage(ref, { port: 0, host, secret, store: this.store, lazy });
      note = `Port ${this.port} ${err.reason}, so this run uses port ${this.current.port} instead.`;
    }
    this.port = this.current.port;
    if (ref.beside) {
      this.beside = await ref.beside(this.current.url, host, this.options.port === 0);
      note = [note, this.beside.note].filter(Boolean).join('; ');
    }
    return { stage: this.current, note };
  }

  /** True when the running stage still accepts connections (something outside may have closed it). */
  async answering(): Promise<boolean> {
    const running = this.current;
    if (!running) return false;
    const socket = connect({ port: running.port, host: new URL(running.probeUrl).hostname });
    const connected = await new Promise<boolean>((resolve) => {
      socket.setTimeout(1000, () => resolve(false));
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    socket.destroy();
    return connected;
  }

  async stop(): Promise<void> {
    const [running, beside] = [this.current, this.beside];
    this.current = undefined;
    this.beside = undefined;
    await Promise.all([running?.stop(), beside?.stop()]);
  }
}
