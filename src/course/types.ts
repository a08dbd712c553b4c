import type { ExplainedCookie } from '../probe/cookies.js';
import type { CookieHabit, Hop, Visitor } from '../probe/visitor.js';
import type { RunningStage } from '../server/start.js';

/** One thing a demo shows, as data: the CLI draws it, tests read it. */
export type DemoStep =
  | { kind: 'say'; text: string }
  | { kind: 'hops'; visitor: string; hops: Hop[] }
  | { kind: 'cookie'; cookie: ExplainedCookie }
  | { kind: 'store'; entries: StoredSession[] }
  | { kind: 'wait'; ms: number; why: string }
  | { kind: 'verdict'; verdict: Verdict };

export interface StoredSession {
  id: string;
  data: Record<string, unknown>;
}

/** A claim of the lesson and what the real responses showed. */
export interface Verdict {
  /** Who or what was tried, such as "goldfish (no cookie jar)". */
  label: string;
  /** What happened, computed from the responses, such as "forgotten". */
  outcome: string;
  /** What the lesson says should happen. */
  expected: string;
  /** The response that decided it, quoted. */
  evidence: string;
}

export interface DemoContext {
  stage: RunningStage;
  show(step: DemoStep): void;
  /** A new visitor; the demo runner closes it when the demo ends. */
  visitor(label: string, habit: CookieHabit): Visitor;
  /**
   * A pause the lesson needs (such as letting a session expire). The only way a demo waits:
   * it is shown to the learner, and the benchmark counts it apart from the tutor's own time.
   */
  wait(ms: number, why: string): Promise<void>;
}

/** The code half of a lesson: its live demo (the text half lives in lessons/NN-slug/). */
export interface LessonModule {
  demo(ctx: DemoContext): Promise<Verdict[]>;
}

export const held = (verdict: Verdict): boolean => verdict.outcome === verdict.expected;
