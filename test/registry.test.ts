import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { lessonRows } from '../src/course/lessons.js';

const root = resolve(import.meta.dirname, '..');
const numbered = (folder: string, ext: string) =>
  readdirSync(join(root, folder))
    .filter((f) => /^\d\d-/.test(f) && f.endsWith(ext))
    .map((f) => f.slice(0, f.length - ext.length))
    .sort();

describe('the lesson registry (src/course/lessons.ts)', () => {
  const names = listLessons().map((l) => l.name);

  it('has a row for every lesson folder, stage file and demo module, and nothing else', () => {
    expect(numbered('lessons', '')).toEqual(names);
    expect(numbered('src/stage/stages', '.ts')).toEqual(names);
    expect(numbered('src/course', '.ts')).toEqual(names);
  });

  it('loads, for every row, the stage and the demo module of its own name', async () => {
    const source = readFileSync(join(root, 'src/course/lessons.ts'), 'utf8');
    for (const lesson of listLessons()) {
      // each import() names the row's own files, so a copied row cannot point at its neighbour
      expect(source).toContain(`import('../stage/stages/${lesson.name}.js')`);
      expect(source).toContain(`import('./${lesson.name}.js')`);
      const [stage, module] = await Promise.all([lesson.stage(), lesson.module()]);
      expect(typeof stage.createApp).toBe('function');
      expect(typeof module.demo).toBe('function');
      expect(module.checks !== undefined).toBe(lesson.checksOverHttp);
    }
  });

  it('numbers rows 1 to N in order, with unique slugs', () => {
    expect(lessonRows.map((r) => r.number)).toEqual(lessonRows.map((_, i) => i + 1));
    expect(new Set(lessonRows.map((r) => r.slug)).size).toBe(lessonRows.length);
  });

  it("agrees with the README's lesson table and lesson count", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = [...readme.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => [
      Number(m[1]),
      m[2].trim(),
    ]);
    expect(table).toEqual(lessonRows.map((r) => [r.number, r.title]));
    // the header a lesson page is drawn with: "Lesson 5 of 12 · …  4 of 12 done"
    const counts = [...readme.matchAll(/Lesson \d+ of (\d+)|\d+ of (\d+) done/g)];
    expect(counts.length).toBeGreaterThan(0);
    for (const m of counts) expect(Number(m[1] ?? m[2])).toBe(lessonRows.length);
  });
});

// cli → course → server → probe: each layer may import those after it, never those before it.
// src/stage/, the learner's code, is a room of its own: the tutor's layers may import it, and it
// imports nothing of theirs, so that eject can copy it.
const layers = ['cli', 'course', 'server', 'stage', 'probe'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

interface Import {
  /** The importing file, from the root, such as src/cli/main.ts. */
  file: string;
  /** What it names: `./x.js`, `express` or `node:fs`. */
  specifier: string;
  /** For a relative specifier, the .ts file it names, from the root. */
  target?: string;
}

/**
 * Every import of every file under `dir`, read by TypeScript's own scanner: static imports and
 * re-exports, `import type`, and `import()`.
 */
function importsUnder(dir: string): Import[] {
  return sourceFiles(dir).flatMap((path) => {
    const file = relative(root, path).split(sep).join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    return importedFiles.map(({ fileName: specifier }): Import => {
      if (!specifier.startsWith('.')) return { file, specifier };
      const named = relative(root, resolve(dirname(path), specifier))
        .split(sep)
        .join('/');
      return {
        file,
        specifier,
        target: named.endsWith('.js') ? `${named.slice(0, -3)}.ts` : named,
      };
    });
  });
}

const layerOf = (file: string) => file.split('/')[1];

/** The import cycles among `imports`, each as the files around it, the first repeated at the end. */
function cycles(imports: Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { file, target } of imports) {
    if (target) next.set(file, [...(next.get(file) ?? []), target]);
  }
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    for (const target of next.get(file) ?? []) visit(target, [...path, file]);
    done.add(file);
  };
  for (const file of next.keys()) visit(file, []);
  return found;
}

describe('the layers of src/', () => {
  const imports = importsUnder(join(root, 'src'));

  it('point one way: cli → course → server → stage → probe', () => {
    const wrong = imports
      .filter(({ file, target }) => {
        if (!target) return false;
        const a = layers.indexOf(layerOf(file));
        const b = layers.indexOf(layerOf(target));
        return a >= 0 && b >= 0 && b < a;
      })
      .map(({ file, specifier }) => `${file} imports ${specifier}`);
    expect(wrong).toEqual([]);
  });

  it('keep the room apart: src/stage/ imports only packages, node: built-ins and src/stage/', () => {
    const outside = imports
      .filter(({ file }) => file.startsWith('src/stage/'))
      .filter(({ target }) => target !== undefined && !target.startsWith('src/stage/'))
      .map(({ file, specifier }) => `${file} imports ${specifier}`);
    expect(outside).toEqual([]);
  });

  it('hold no import cycle, counting import type and import()', () => {
    expect(cycles(imports).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('are found by the import reader, import type and import() included', () => {
    const edges = imports.map(({ file, specifier }) => `${file} ${specifier}`);
    expect(edges).toContain('src/cli/main.ts ../course/catalog.js');
    expect(edges).toContain('src/course/lessons.ts ../stage/stages/05-remember.js');
    expect(edges).toContain('src/stage/stages/05-remember.ts ../stage.js');
    expect(edges).toContain('src/stage/stages/05-remember.ts express');
    expect(imports.length).toBeGreaterThan(100);
    // and the cycle finder finds one: a → b → a
    expect(
      cycles([
        { file: 'a', specifier: './b.js', target: 'b' },
        { file: 'b', specifier: './a.js', target: 'a' },
      ]),
    ).toEqual([['a', 'b', 'a']]);
  });
});
