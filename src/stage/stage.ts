import type { Express } from 'express';
import type { Store } from 'express-session';

/** What the tutor hands every stage app: the secret that signs cookies and where sessions live. */
export interface StageOptions {
  secret: string | string[];
  store: Store;
  /** How long a session lives without a visit, in ms, for stages that set it; each has its default. */
  maxAge?: number;
}

/** A stage module: one small Express app that teaches one idea. */
export interface StageModule {
  createApp(options: StageOptions): Express;
}

/** Which stage to run: its number, and how to load its module (a row of the lesson registry). */
export interface StageRef {
  number: number;
  stage: () => Promise<StageModule>;
  /**
   * A second server that runs beside the stage while it runs in the tutor (lesson 12's attack
   * page). `anyPort` is true when the run takes any free port (`--port 0`): then so does it.
   */
  beside?: (stageUrl: string, host: string, anyPort: boolean) => Promise<BesideServer>;
}

export interface BesideServer {
  /** One sentence for the learner: what it is and its address. */
  note: string;
  stop(): Promise<void>;
}
