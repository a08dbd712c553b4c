import type { Express } from 'express';
import type { Store } from 'express-session';

/** What the tutor hands every stage app: the secret that signs cookies and where sessions live. */
export interface StageOptions {
  secret: string | string[];
  /** Without one, express-session keeps sessions in its own MemoryStore. */
  store?: Store;
  /** How long a session lives without a visit, in ms, for stages that set it; each has its default. */
  maxAge?: number;
}

/** A stage module: one small Express app that teaches one idea. */
export interface StageModule {
  createApp(options: StageOptions): Express;
}
