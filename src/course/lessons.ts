import type { StageRef } from '../server/start.js';
import type { StageModule } from '../stage/stage.js';
import type { LessonModule } from './types.js';

/**
 * The course: one row per lesson, in order. Every fact about a lesson that is not in one of its
 * files is in its row; catalog.ts derives its name and places from the number and slug. Its text
 * is data in lessons/NN-slug/lesson.md, its stage is src/stage/stages/NN-slug.ts and its demo and
 * checks are src/course/NN-slug.ts.
 * Each `import()` names its file literally, so the type checker and the bundler can follow it.
 */
export interface LessonRow {
  number: number;
  slug: string;
  title: string;
  /** Shown on `h`: where to look in the demo to see the lesson's idea for yourself. */
  hint: string;
  /** The stage's Express app. */
  stage: () => Promise<StageModule>;
  /** The live demo and, when the idea shows over HTTP, the checks for `session-tutor check N`. */
  module: () => Promise<LessonModule>;
  /** `check N` has expectations for this lesson: its idea can be seen from outside, over HTTP. */
  checksOverHttp: boolean;
  /**
   * Why this stage answers exactly as the stage before it does over HTTP, when it does: its demo
   * and checks then cannot fail on the stage before, and the tests prove them another way.
   */
  sameOnTheWireAsBefore?: string;
  /**
   * The stage takes its store from outside (`--store`): memory, SQLite or Redis. Its ejected
   * server then chooses one as the tutor does, with `--store` or STORE.
   */
  choosesStore?: true;
  /** A second server the tutor runs beside the stage while the lesson is open (lesson 12's attack page). */
  beside?: StageRef['beside'];
  /** The stage keeps no sessions (lesson 1): `serve` then says nothing of stores or secrets. */
  sessionless?: true;
  /** One more sentence at the end of the lesson's "Your turn". */
  yourTurnAlso?: string;
}

export const lessonRows: readonly LessonRow[] = [
  {
    number: 1,
    slug: 'goldfish',
    title: 'The goldfish',
    hint: 'Look at the two requests in the demo: is there any header in the second that was not in the first?',
    stage: () => import('../stage/stages/01-goldfish.js'),
    module: () => import('./01-goldfish.js'),
    checksOverHttp: true,
    sameOnTheWireAsBefore: 'there is no stage before lesson 1',
    sessionless: true,
  },
  {
    number: 2,
    slug: 'secret',
    title: 'Sessions need a secret',
    hint: 'The demo made two requests: count the Set-Cookie headers. Which option tells express-session not to send a cookie until something is stored?',
    stage: () => import('../stage/stages/02-secret.js'),
    module: () => import('./02-secret.js'),
    checksOverHttp: true,
    sameOnTheWireAsBefore:
      'express-session with saveUninitialized: false sends nothing until something is stored, so stage 2 answers exactly as stage 1 does',
  },
  {
    number: 3,
    slug: 'form',
    title: 'A form',
    hint: 'The form posts to setName. Which routes does this stage define? The 404 page names the request it could not answer.',
    stage: () => import('../stage/stages/03-form.js'),
    module: () => import('./03-form.js'),
    checksOverHttp: true,
  },
  {
    number: 4,
    slug: 'store-name',
    title: 'Store the name',
    hint: 'Look at the Set-Cookie header of the 302: between s%3A and the dot is the session ID, after the dot the signature. Is the name anywhere in it?',
    stage: () => import('../stage/stages/04-store-name.js'),
    module: () => import('./04-store-name.js'),
    checksOverHttp: true,
  },
  {
    number: 5,
    slug: 'remember',
    title: 'Remember me',
    hint: 'Compare the Cookie line of the goldfish’s GET / with Grace’s. The server can only find a session whose ID comes back.',
    stage: () => import('../stage/stages/05-remember.js'),
    module: () => import('./05-remember.js'),
    checksOverHttp: true,
  },
  {
    number: 6,
    slug: 'preview',
    title: 'Why the preview window forgets',
    hint: 'The simulated preview received a Set-Cookie: look at the Cookie line it sent next. Then read the attributes of the /partitioned/ cookie: which of them lets a browser keep it inside a frame?',
    stage: () => import('../stage/stages/06-preview.js'),
    module: () => import('./06-preview.js'),
    checksOverHttp: true,
  },
  {
    number: 7,
    slug: 'lifetime',
    title: 'How long a session lives',
    hint: "Compare the Set-Cookie of this stage with lesson 5's: which attribute is new? Then look at the Cookie line Ada sent after waiting.",
    stage: () => import('../stage/stages/07-lifetime.js'),
    module: () => import('./07-lifetime.js'),
    checksOverHttp: true,
  },
  {
    number: 8,
    slug: 'logout',
    title: 'Forget me: logging out',
    hint: "After logout, look at what the server's store holds, and at what the copied cookie still says in the client-side session: its value is base64.",
    stage: () => import('../stage/stages/08-logout.js'),
    module: () => import('./08-logout.js'),
    checksOverHttp: true,
  },
  {
    number: 9,
    slug: 'store',
    title: 'Where the data lives',
    hint: 'A MemoryStore lives in the server process: when the process ends, so does every session in it. Compare the process numbers before and after the restart.',
    stage: () => import('../stage/stages/09-store.js'),
    module: () => import('./09-store.js'),
    choosesStore: true,
    // where sessions live cannot be seen from outside: a correct server looks the same either way
    checksOverHttp: false,
  },
  {
    number: 10,
    slug: 'many-servers',
    title: 'Many servers, one memory',
    hint: "Read the 'answered by process' of each response: which process greeted Ada, and which did not?",
    stage: () => import('../stage/stages/10-many-servers.js'),
    module: () => import('./10-many-servers.js'),
    choosesStore: true,
    // how servers share sessions cannot be seen from outside either
    checksOverHttp: false,
  },
  {
    number: 11,
    slug: 'safety',
    title: 'Keeping sessions safe',
    hint: 'For each verdict, find the one line of stage 11 that decides it: escapeHtml, httpOnly, sameSite, secure, regenerate, or the list of secrets.',
    stage: () => import('../stage/stages/11-safety.js'),
    module: () => import('./11-safety.js'),
    choosesStore: true,
    checksOverHttp: true,
    yourTurnAlso:
      'See why a browser drops or withholds each of your cookies:\n\n```\nnpx session-tutor watch http://localhost:3000\n```',
  },
  {
    number: 12,
    slug: 'same-origin',
    title: 'Same site is not same origin',
    hint: "Compare the attacker's POST on stage 11 and on stage 12: the same cookie went with both. What did stage 12 look for that the attack page could not send?",
    stage: () => import('../stage/stages/12-same-origin.js'),
    module: () => import('./12-same-origin.js'),
    choosesStore: true,
    checksOverHttp: true,
    beside: async (stageUrl, host, anyPort) =>
      (await import('../server/attack-page.js')).startAttackPage(
        stageUrl,
        host,
        anyPort ? 0 : undefined,
      ),
  },
];
