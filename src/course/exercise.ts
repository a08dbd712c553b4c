import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../errors.js';
import { type LessonInfo, listLessons } from './catalog.js';
import { lessonChecks } from './check.js';
import type { Expectation } from './types.js';

/**
 * Writes stage N as a project into an empty folder: eject, the one way the learner's copy of a
 * stage is made, handed in by the command line.
 */
export type CopyStage = (stage: LessonInfo, dir: string) => void;

/** Lesson N's exercise: make the stage before it pass lesson N's checks. */
export interface Exercise {
  lesson: LessonInfo;
  /** The stage the learner starts from; none for lesson 1, which starts from an empty server.js. */
  before?: LessonInfo;
  checks: Expectation[];
  /**
   * Set when the stage before already passes lesson N's checks, because what lesson N changes
   * cannot be seen over HTTP (the registry's `sameOnTheWireAsBefore`): then the checks guard the
   * change rather than prove it, and the exercise says so.
   */
  startsPassing?: string;
}

/** Lesson N's exercise, or a one-sentence reason why it has none (lessons 9 and 10). */
export async function exerciseFor(lesson: LessonInfo): Promise<Exercise> {
  const checks = await lessonChecks(lesson);
  if (!checks) {
    throw new UserError(
      `Lesson ${lesson.number} (${lesson.title}) has no exercise: what it changes cannot be seen over HTTP, so nothing could check your change. ` +
        `Read its stage instead: ${lesson.stageSource}`,
    );
  }
  const lessons = listLessons();
  const before = lessons[lessons.indexOf(lesson) - 1];
  return {
    lesson,
    before,
    checks,
    startsPassing: before ? lesson.sameOnTheWireAsBefore : undefined,
  };
}

/** The files a project holds that the learner writes: everything but its packages and notes. */
export type ProjectFiles = Map<string, string>;

/**
 * Makes the exercise's folder, unless it already holds the learner's work: then it is kept as
 * it is (coming back resumes). A new one holds the stage before, or for lesson 1 an empty
 * server.js, with the helpers and packages the lesson's own stage imports, so the learner can use
 * them too. Returns true when the folder was made now.
 */
export function makeWorkspace(
  exercise: Exercise,
  dir: string,
  copyStage: CopyStage,
  readme: string,
): boolean {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(`${dir} is a file, not a folder: give the exercise a folder of its own.`);
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, 'server.js'))) {
      throw new UserError(
        `${dir} holds files but no server.js, so it is not an exercise folder: give another folder, or none for the default.`,
      );
    }
    return false;
  }
  const { lesson, before } = exercise;
  // the packages and helpers lesson N's own stage imports, for the learner to use too
  const reference = withStage(lesson, copyStage, (d) => ({
    packageJson: readFileSync(join(d, 'package.json'), 'utf8'),
    files: projectFiles(d),
  }));
  if (before) {
    copyStage(before, dir);
    for (const [path, text] of helpersToAdd(exercise, reference.files, projectFiles(dir))) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  } else {
    writeFileSync(join(dir, 'server.js'), '');
    writeFileSync(join(dir, 'package.json'), '{}\n');
  }
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>;
  const wanted = JSON.parse(reference.packageJson) as Record<string, unknown>;
  const merged = {
    ...wanted,
    ...pkg,
    name: `session-tutor-exercise-${lesson.name}`,
    description: `Exercise ${lesson.number} of session-tutor: ${lesson.title}.`,
    dependencies: {
      ...(wanted.dependencies as Record<string, string>),
      ...(pkg.dependencies as Record<string, string> | undefined),
    },
  };
  writeFileSync(pkgPath, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(join(dir, 'README.md'), readme);
  return true;
}

/**
 * Installs the folder's packages: from npm's cache alone when it holds them all (no network),
 * else as npm normally does. Each line npm writes goes to `onLine`.
 */
export async function installWorkspace(dir: string, onLine: (line: string) => void): Promise<void> {
  const common = ['install', '--no-audit', '--no-fund', '--no-package-lock'];
  if ((await npm([...common, '--offline'], dir, () => {})) === 0) return;
  const code = await npm([...common, '--prefer-offline'], dir, onLine);
  if (code !== 0) {
    throw new UserError(
      `npm install failed in ${dir} (exit code ${code}): run it there yourself to see why, then run the exercise again.`,
    );
  }
}

async function npm(args: string[], cwd: string, onLine: (line: string) => void): Promise<number> {
  const child = spawn('npm', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: process.platform === 'win32',
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim()) onLine(line);
    });
  }
  const [code] = await once(child, 'close');
  return code as number;
}

/** True when the folder's packages are installed (its node_modules has express). */
export function installed(dir: string): boolean {
  return existsSync(join(dir, 'node_modules/express/package.json'));
}

/** One file's two versions: `before` is '' for a new file, `after` '' for a removed one. */
export interface FileChange {
  path: string;
  before: string;
  after: string;
}

/**
 * What the learner changed since the exercise began, and what session-tutor's own stage N
 * changed from the same start: both as file changes, to show one after the other. Stage N's
 * file is compared with the stage file the learner edits, and server.js, which only starts the
 * stage, with the one the exercise began with.
 */
export function comparison(
  exercise: Exercise,
  dir: string,
  copyStage: CopyStage,
): { yours: FileChange[]; ours: FileChange[] } {
  const start = startFiles(exercise, copyStage);
  const reference = withStage(exercise.lesson, copyStage, projectFiles);
  const { lesson, before } = exercise;
  if (before) {
    const stage = reference.get(stageFile(lesson));
    reference.delete(stageFile(lesson));
    if (stage !== undefined) reference.set(stageFile(before), stage);
    const server = start.get('server.js');
    if (server !== undefined) reference.set('server.js', server);
  }
  const first = editedFile(exercise);
  return {
    yours: changes(start, projectFiles(dir), first),
    ours: changes(start, reference, first),
  };
}

/** True when the learner has changed something since the exercise began. */
export function changedSinceStart(exercise: Exercise, dir: string, copyStage: CopyStage): boolean {
  return (
    changes(startFiles(exercise, copyStage), projectFiles(dir), editedFile(exercise)).length > 0
  );
}

/** The file the learner edits: the stage before's own file, or server.js for lesson 1. */
export function editedFile({ before }: Exercise): string {
  return before ? stageFile(before) : 'server.js';
}

/** Where eject puts a stage's own file in the project (src/cli/eject/project.ts). */
function stageFile(stage: LessonInfo): string {
  return `stages/${stage.name}.js`;
}

/**
 * The helpers stage N imports that the stage before does not (such as the form page for
 * lesson 3): copied in from the start, so the learner can import them as stage N does.
 */
function helpersToAdd(
  { lesson }: Exercise,
  reference: ProjectFiles,
  present: ProjectFiles,
): ProjectFiles {
  return new Map(
    [...reference].filter(
      ([path]) => path !== 'server.js' && path !== stageFile(lesson) && !present.has(path),
    ),
  );
}

function startFiles(exercise: Exercise, copyStage: CopyStage): ProjectFiles {
  if (!exercise.before) return new Map([['server.js', '']]);
  const start = withStage(exercise.before, copyStage, projectFiles);
  const reference = withStage(exercise.lesson, copyStage, projectFiles);
  for (const [path, text] of helpersToAdd(exercise, reference, start)) start.set(path, text);
  return start;
}

/** Copies a stage into a temporary folder, reads what it needs, and removes the folder. */
function withStage<T>(stage: LessonInfo, copyStage: CopyStage, read: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'session-tutor-stage-'));
  try {
    copyStage(stage, dir);
    return read(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The project's own files, by path: code and pages, not its packages or notes. */
export function projectFiles(dir: string): ProjectFiles {
  const files: ProjectFiles = new Map();
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(path);
      } else if (entry.isFile() && /\.(js|mjs|cjs|html)$/.test(entry.name)) {
        files.set(relative(dir, path).split('\\').join('/'), readFileSync(path, 'utf8'));
      }
    }
  };
  visit(dir);
  return files;
}

function changes(from: ProjectFiles, to: ProjectFiles, first: string): FileChange[] {
  const paths = [...new Set([...from.keys(), ...to.keys()])].sort(
    // the file the learner edits first: it is where the change is made
    (a, b) => Number(b === first) - Number(a === first) || a.localeCompare(b),
  );
  return paths
    .map((path) => ({ path, before: from.get(path) ?? '', after: to.get(path) ?? '' }))
    .filter((change) => change.before !== change.after);
}
