import { setTimeout as sleep } from 'node:timers/promises';
import type { CookieHabit } from '../probe/visitor.js';
import type { RunningStage } from '../server/start.js';
import type { StoreChoice } from '../stage/stores/choose.js';
import { type LessonInfo, lessonModule, listLessons } from './catalog.js';
import type { DemoContext, DemoStep, Stoppable, Verdict } from './types.js';

export interface DemoOptions {
  /** Where the learner chose to keep sessions (`--store`); memory unless given. */
  storeChoice?: StoreChoice;
  /** Stops the demo part-way (the learner quit): waits end and requests in flight are dropped. */
  signal?: AbortSignal;
  /**
   * Registers a stop to run if the process ends mid-demo (the CLI's shutdown list); returns how
   * to take it back once the demo has stopped the thing itself.
   */
  alsoOnExit?: (stop: () => Promise<void>) => () => void;
}

/** Runs a lesson's live demo against a running stage, showing each step as it happens. */
export async function runDemo(
  lesson: LessonInfo,
  stage: RunningStage,
  show: (step: DemoStep) => void,
  options: DemoOptions = {},
): Promise<Verdict[]> {
  const { storeChoice = { kind: 'memory' }, signal, alsoOnExit = () => () => {} } = options;
  const { Visitor } = await import('../probe/visitor.js');
  const { demo } = await lessonModule(lesson);
  // a stage started lazily knows its store once its app is loaded, and demos look into the store
  await stage.ready();
  const visitors: InstanceType<typeof Visitor>[] = [];
  // what the demo started, newest first, each also stopped if the tutor is interrupted
  const owned: { thing: Stoppable; forget: () => void }[] = [];
  const ctx: DemoContext = {
    stage,
    stageBefore: listLessons().find((l) => l.number === lesson.number - 1),
    show,
    storeChoice,
    own(thing) {
      owned.unshift({ thing, forget: alsoOnExit(() => thing.stop()) });
      return thing;
    },
    visitor(label: string, habit: CookieHabit) {
      const visitor = new Visitor(label, habit);
      visitors.push(visitor);
      return visitor;
    },
    async wait(ms: number, why: string) {
      show({ kind: 'wait', ms, why });
      await sleep(ms, undefined, { signal });
    },
  };
  const dropRequests = () => void Promise.all(visitors.map((v) => v.close()));
  signal?.addEventListener('abort', dropRequests, { once: true });
  try {
    signal?.throwIfAborted();
    const verdicts = await demo(ctx);
    for (const verdict of verdicts) show({ kind: 'verdict', verdict });
    return verdicts;
  } finally {
    signal?.removeEventListener('abort', dropRequests);
    await Promise.all(visitors.map((v) => v.close()));
    for (const { thing, forget } of owned) {
      await thing.stop();
      forget();
    }
  }
}
