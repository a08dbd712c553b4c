import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
    // the header a lesson page is drawn with: "Lesson 5 of 11 · …  4 of 11 done"
    const counts = [...readme.matchAll(/Lesson \d+ of (\d+)|\d+ of (\d+) done/g)];
    expect(counts.length).toBeGreaterThan(0);
    for (const m of counts) expect(Number(m[1] ?? m[2])).toBe(lessonRows.length);
  });
});

// cli → course → server → stage → probe: each layer may import those after it, never those before it.
const layers = ['cli', 'course', 'server', 'stage', 'probe'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Each relative import in src, as [importing layer, imported layer, where]. */
function layerImports(srcDir: string): [string, string, string][] {
  const found: [string, string, string][] = [];
  for (const file of sourceFiles(srcDir)) {
    const from = relative(srcDir, file).split('/')[0];
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const to = relative(srcDir, resolve(dirname(file), m[1])).split('/')[0];
      found.push([from, to, `${relative(root, file)} imports ${m[1]}`]);
    }
  }
  return found;
}

describe('the layers of src/', () => {
  it('point one way: cli → course → server → stage → probe', () => {
    const wrong = layerImports(join(root, 'src'))
      .filter(([from, to]) => {
        const a = layers.indexOf(from);
        const b = layers.indexOf(to);
        return a >= 0 && b >= 0 && b < a;
      })
      .map(([, , where]) => where);
    expect(wrong).toEqual([]);
  });

  it('are found by the import reader (a file in course importing cli would be caught)', () => {
    const imports = layerImports(join(root, 'src'));
    expect(imports).toContainEqual(['cli', 'course', expect.stringContaining('src/cli/')]);
    expect(imports.length).toBeGreaterThan(50);
  });
});
