import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tutorHome } from '../home.js';
import { makeFolder } from '../stage/folder.js';

export interface Progress {
  /** Lesson folder names, such as `05-remember`, that the learner has finished. */
  done: string[];
  /** Lesson folder names whose exercise the learner's own server has passed. */
  exercises: string[];
}

/**
 * The learner's progress. A file that cannot be read is set aside (never truncated)
 * and reported; a folder that cannot be written is reported once, and the course goes on.
 */
export class ProgressFile {
  readonly path: string;
  private progress: Progress = { done: [], exercises: [] };
  private warned = false;

  constructor(
    home = tutorHome(),
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {
    this.path = join(home, 'progress.json');
    this.progress = this.read();
  }

  get done(): string[] {
    return [...this.progress.done];
  }

  isDone(lesson: string): boolean {
    return this.progress.done.includes(lesson);
  }

  markDone(lesson: string): void {
    if (this.isDone(lesson)) return;
    this.progress.done.push(lesson);
    this.save();
  }

  exerciseDone(lesson: string): boolean {
    return this.progress.exercises.includes(lesson);
  }

  markExerciseDone(lesson: string): void {
    if (this.exerciseDone(lesson)) return;
    this.progress.exercises.push(lesson);
    this.save();
  }

  reset(): void {
    this.progress = { done: [], exercises: [] };
    this.save();
  }

  private read(): Progress {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.warn(
          `warning: cannot read ${this.path} (${(err as Error).message}); starting from lesson 1.`,
        );
      }
      return { done: [], exercises: [] };
    }
    try {
      const parsed = JSON.parse(text) as Partial<Progress>;
      if (!Array.isArray(parsed.done) || !parsed.done.every((d) => typeof d === 'string')) {
        throw new Error('it has no list of finished lessons');
      }
      // files from before exercises existed have no list of them
      const exercises = Array.isArray(parsed.exercises)
        ? parsed.exercises.filter((e) => typeof e === 'string')
        : [];
      return { done: parsed.done, exercises };
    } catch (err) {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      try {
        renameSync(this.path, aside);
        this.warn(
          `warning: ${this.path} could not be read (${(err as Error).message}); kept it as ${aside} and started afresh.`,
        );
      } catch {
        this.warn(
          `warning: ${this.path} could not be read (${(err as Error).message}); left it as it is.`,
        );
      }
      return { done: [], exercises: [] };
    }
  }

  private save(): void {
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      makeFolder(join(this.path, '..'));
      writeFileSync(temp, `${JSON.stringify(this.progress, null, 2)}\n`);
      renameSync(temp, this.path);
    } catch (err) {
      // written but not renamed into place: leave nothing behind
      try {
        rmSync(temp, { force: true });
      } catch {
        // the folder itself is unusable, so no temporary file was made there
      }
      if (!this.warned) {
        this.warned = true;
        this.warn(
          `warning: cannot save progress to ${this.path} (${(err as Error).message}). ` +
            'The course goes on; set SESSION_TUTOR_HOME to a folder you can write to keep it.',
        );
      }
    }
  }
}
