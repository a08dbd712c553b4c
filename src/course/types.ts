import type { ExplainedCookie } from '../probe/cookies.js';
import type { Hop } from '../probe/hop.js';
import type { Verdict } from '../probe/verdict.js';
import type { CookieHabit, Visitor } from '../probe/visitor.js';
import type { RunningStage, StageRef } from '../server/start.js';
import type { StoreChoice } from '../stage/stores/choose.js';

export type { Verdict };

/** One thing a demo shows, as data: the CLI draws it, tests read it. */
export type DemoStep =
  | { kind: 'say'; text: string }
  /** `servedBy`: name the process that answered each request (lesson 10, many processes). */
  | { kind: 'hops'; visitor: string; hops: Hop[]; servedBy?: boolean }
  | { kind: 'cookie'; cookie: ExplainedCookie }
  | { kind: 'store'; entries: StoredSession[] }
  | { kind: 'wait'; ms: number; why: string }
  | { kind: 'verdict'; verdict: Verdict };

export interface StoredSession {
  id: string;
  data: Record<string, unknown>;
}

export interface DemoContext {
  stage: RunningStage;
  /**
   * The stage of the lesson before, to start beside this one and compare (lessons 11 and 12);
   * none for lesson 1. Handed in, so that no lesson module imports the registry that loads it.
   */
  stageBefore?: StageRef;
  show(step: DemoStep): void;
  /** A new visitor; the demo runner closes it when the demo ends. */
  visitor(label: string, habit: CookieHabit): Visitor;
  /**
   * A pause the lesson needs (such as letting a session expire). The only way a demo waits:
   * it is shown to the learner, and the benchmark counts it apart from the tutor's own time.
   */
  wait(ms: number, why: string): Promise<void>;
  /** Where the learner chose to keep sessions (`--store`; memory unless asked). */
  storeChoice: StoreChoice;
  /** Hands over something the demo started (a server, a process, a temporary folder): the runner stops it when the demo ends, however it ends. */
  own<T extends Stoppable>(thing: T): T;
}

export interface Stoppable {
  stop(): Promise<void>;
}

/*
 * Checks: what `session-tutor check N` asks of a learner's own server, in any language.
 *
 * A lesson module (src/course/NN-slug.ts) exports `checks: Expectation[]` when its idea can be
 * seen over HTTP. Each expectation makes real requests through `ctx.visitor(...)` (the runner
 * records every hop, shows them to the learner and closes the visitors) and returns a Verdict:
 * it passes when `outcome === expected`. Rules, so a correct server in any framework passes:
 * - ask only what the lesson teaches, and only through HTTP: no look into our stores, no Express
 *   details (cookie names, page layout); sign in with `signIn` from visits.ts, which submits the
 *   page's own form as a browser does, and find a name in the page with `greets` from
 *   src/probe/verdict.ts (read pages only through src/probe/html.ts, the HTML parser);
 * - use `ctx.name('Ada')` for names, so a leftover session from an earlier run cannot pass;
 * - put the decisive response in `evidence`; return `hint` only when the responses show a more
 *   precise cause than the expectation's own `hint` (e.g. "the cookie has Path=/setName");
 * - a ProbeError (down, hanging, not HTTP) may be left to throw: the runner reports it as a
 *   failure with its message, and stops when the server cannot be reached at all.
 * test/check.test.ts proves every lesson's checks pass on its own stage and fail on the one before.
 *
 *   export const checks: Expectation[] = [{
 *     title: 'a visitor who returns the cookie is greeted by name',
 *     hint: 'Read the name from the session in GET / and put it in the page.',
 *     async run(ctx) {
 *       const jar = ctx.visitor('a browser (cookie jar)', 'jar');
 *       await jar.post(`${ctx.url}/setName`, { name: ctx.name('Grace') });
 *       ...
 *       return { label: 'the browser', outcome, expected: 'remembered', evidence };
 *     },
 *   }];
 */

/** What an expectation gets: the server's address and visitors the runner records and closes. */
export interface CheckContext {
  /** The server under test, without a trailing slash, such as http://localhost:3000. */
  url: string;
  visitor(label: string, habit: CookieHabit): Visitor;
  /** `base` plus a suffix unique to this run, such as `Ada-q7kz`: letters, digits and `-` only. */
  name(base: string): string;
}

/** One thing a correct server for a lesson does, seen from outside over HTTP. */
export interface Expectation {
  /** The claim, as the learner reads it: "GET / answers with a form that posts a name". */
  title: string;
  /** What to look at or change when it fails. */
  hint: string;
  /**
   * The same, for someone doing the lesson's exercise: what to change in the stage before's
   * server.js (`exercise N`), where `hint` speaks to a server in any language.
   */
  exerciseHint: string;
  /**
   * Judged on a browser that signed in: when the server accepted the sign-in but sent no cookie
   * at all, that is the cause to name, not `hint` (see noSetCookie in cookie-hints.ts).
   */
  needsSessionCookie?: true;
  run(ctx: CheckContext): Promise<Verdict & { hint?: string }>;
}

/** The code half of a lesson: its live demo and, when its idea shows over HTTP, its checks. */
export interface LessonModule {
  demo(ctx: DemoContext): Promise<Verdict[]>;
  checks?: Expectation[];
}

export const held = (verdict: Verdict): boolean => verdict.outcome === verdict.expected;
