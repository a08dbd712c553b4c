import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LessonInfo, listLessons } from '../../course/catalog.js';
import { type Exercise, editedFile, exerciseFor, makeWorkspace } from '../../course/exercise.js';
import { UserError } from '../../errors.js';
import { learnerHome } from '../../home.js';
import { type ExerciseEnd, runExercise } from '../exercise.js';
import type { KeyReader } from '../keys.js';
import { ProgressFile } from '../progress.js';
import { tutorCommand } from '../tutor-command.js';
import { ejectInto } from './eject.js';

interface ExerciseCommandOptions {
  url?: string;
}

/**
 * `exercise N [DIR]`: lesson N's exercise in a folder of the learner's own, their server run and
 * checked on every save; `--url URL`: the same checks against a server they run themselves.
 * In a terminal, passing offers the next lesson's exercise.
 */
export async function exercise(
  first: LessonInfo,
  dir: string | undefined,
  options: ExerciseCommandOptions,
): Promise<void> {
  if (dir !== undefined && options.url !== undefined) {
    throw new UserError(
      'Give a folder or --url, not both: the tutor runs the server in the folder, or checks yours at --url.',
    );
  }
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const keys = interactive ? new (await import('../keys.js')).KeyReader() : undefined;
  try {
    let lesson: LessonInfo | undefined = first;
    let folder = dir;
    while (lesson) {
      // quitting is the learner's choice, not a failure: the work stays for next time
      const end = await exerciseIn(lesson, { dir: folder, url: options.url, keys });
      if (!end.goOn) return;
      lesson = await nextExercise(lesson);
      folder = undefined;
    }
  } finally {
    keys?.close();
  }
}

/** Lesson N's exercise, from wherever it is started: the command, or `e` in a lesson. */
export async function exerciseIn(
  lesson: LessonInfo,
  where: { dir?: string; url?: string; keys?: KeyReader; write?: (text: string) => void },
): Promise<ExerciseEnd> {
  const write = where.write ?? ((text: string) => process.stdout.write(text));
  const found = await exerciseFor(lesson);
  const progress = new ProgressFile();
  if (where.url !== undefined) {
    const { httpUrl } = await import('./probe.js');
    return runExercise({
      exercise: found,
      url: httpUrl(where.url).replace(/\/+$/, ''),
      copyStage: copyStage,
      progress,
      keys: where.keys,
      write,
      intro: `Your server, in any language, at ${where.url}; session-tutor's own stage ${lesson.number}, to compare with yours afterwards, is ${lesson.stageSource}.`,
    });
  }
  const folder = resolve(where.dir ?? join(learnerHome(), lesson.name));
  mkdirSync(folder, { recursive: true });
  const created = makeWorkspace(found, folder, copyStage, readme(found, folder));
  return runExercise({
    exercise: found,
    dir: folder,
    created,
    copyStage,
    progress,
    keys: where.keys,
    write,
    intro: `${created ? 'Your copy is' : 'Your work from before is kept in'} ${folder} (${startedFrom(found)}): edit ${editedFile(found)} there; every save restarts your server and checks it again.`,
  });
}

const copyStage = (stage: LessonInfo, dir: string) => {
  ejectInto(stage, dir);
};

function startedFrom({ before }: Exercise): string {
  return before
    ? `it started as stage ${before.number}`
    : 'it started as an empty server.js with express installed';
}

async function nextExercise(lesson: LessonInfo): Promise<LessonInfo | undefined> {
  const { lessonChecks } = await import('../../course/check.js');
  for (const later of listLessons().filter((l) => l.number > lesson.number)) {
    if (await lessonChecks(later)) return later;
  }
  return undefined;
}

function readme(found: Exercise, folder: string): string {
  const { lesson, checks, before } = found;
  return `# Exercise ${lesson.number} of session-tutor: ${lesson.title}

This folder ${before ? `started as stage ${before.number}: its code is \`${editedFile(found)}\`, which \`server.js\` starts` : 'started as an empty `server.js`, with Express installed'}.
Change it until the server that runs from \`server.js\` does what lesson ${lesson.number} asks:

${checks.map((c) => `- ${c.title}`).join('\n')}

Run it under session-tutor, which starts your server on a free port (in \`process.env.PORT\`),
restarts it on every save and checks it again:

\`\`\`sh
${tutorCommand(folder)} exercise ${lesson.number} ${/\s/.test(folder) ? `"${folder}"` : folder}
\`\`\`
`;
}
