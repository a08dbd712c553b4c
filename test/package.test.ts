import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { Visitor } from '../src/probe/visitor.js';
import { redisPackages } from '../src/stage/stores/choose.js';
import { collectRun, freshHome, waitForOutput } from './helpers.js';

// What a learner gets from the registry: the package as `npm pack` makes it (from the build that
// `npm test` has just made), installed into an empty folder with no network and an empty cache.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL;

interface Packed {
  filename: string;
  unpackedSize: number;
  files: { path: string }[];
}

let work: string;
let packed: Packed;
let app: string;
let tutor: string;

beforeAll(async () => {
  work = freshHome();
  // --ignore-scripts: pack this build as it is, without `prepare` rebuilding dist/ under the
  // other test files that are using it
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    { cwd: root, timeout: 120_000 },
  );
  [packed] = JSON.parse(stdout) as Packed[];
  app = join(work, 'app');
  mkdirSync(app);
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--cache',
      join(work, 'empty-cache'),
      '--no-audit',
      '--no-fund',
      join(work, packed.filename),
    ],
    { cwd: app, timeout: 120_000 },
  );
  tutor = join(app, 'node_modules', '.bin', 'session-tutor');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runTutor(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000) {
  const child = spawn(tutor, args, {
    cwd: app,
    env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectRun(child, `session-tutor ${args.join(' ')}`, timeoutMs);
}

describe('the packed tarball', () => {
  it('holds the bundle, the lessons, the stage sources, the ejectable JavaScript, the eject templates and the licences, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    const allowed = [
      /^dist\/[^/]+\.js$/,
      /^dist\/reading-words\.json$/, // list's reading times, counted at build
      /^dist\/first-pages\.json$/, // each lesson's first page as marked reads it, read at build
      /^dist\/stage-helpers\.json$/, // the lines i shows of each helper, found at build
      /^dist\/session-tutor\.cjs$/, // the bin
      /^dist\/javascript\/(.+\.js|imports\.json|stages\/form\.html)$/, // the room eject copies
      /^dist\/stages\/form\.html$/, // read by the bundle's pages.ts
      /^src\/cli\/eject\/templates\/[^/]+\.template$/,
      /^lessons\/[^/]+\/.+$/,
      /^src\/stage\/stages\/([^/]+\.ts|form\.html)$/,
      /^src\/stage\/[^/]+\.ts$/, // the helpers i shows beside a stage's code
      /^(package\.json|README\.md|LICENSE|THIRD-PARTY-LICENSES|docs\/stage-5(-dark)?\.png)$/,
    ];
    expect(paths.filter((p) => !allowed.some((pattern) => pattern.test(p)))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    for (const needed of [
      'dist/cli.js',
      'dist/session-tutor.cjs',
      'dist/stage-child.js',
      'dist/reading-words.json',
      'dist/first-pages.json',
      'dist/stage-helpers.json',
      'LICENSE',
      'THIRD-PARTY-LICENSES',
    ]) {
      expect(paths).toContain(needed);
    }
    for (const lesson of listLessons()) {
      expect(paths).toContain(`lessons/${lesson.name}/lesson.md`);
      expect(paths).toContain(`src/stage/stages/${lesson.name}.ts`);
      expect(paths).toContain(`dist/javascript/stages/${lesson.name}.js`);
    }
    expect(packed.unpackedSize).toBeLessThanOrEqual(3_000_000);
  });

  it('names no runtime dependency, and its licences cover what it bundles', () => {
    const pkg = JSON.parse(
      readFileSync(join(app, 'node_modules/session-tutor/package.json'), 'utf8'),
    );
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    const licences = readFileSync(
      join(app, 'node_modules/session-tutor/THIRD-PARTY-LICENSES'),
      'utf8',
    );
    for (const bundled of ['express', 'express-session', 'undici', 'tough-cookie', 'commander']) {
      expect(licences).toMatch(new RegExp(`^${bundled} \\d+\\.\\d+\\.\\d+ \\(`, 'm'));
    }
    expect(readFileSync(join(app, 'node_modules/session-tutor/LICENSE'), 'utf8')).toMatch(
      /^MIT License/,
    );
  });

  it('installs offline as one package', () => {
    const installed = readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.'));
    expect(installed).toEqual(['session-tutor']);
  });

  it('answers --version, list --json and the whole course from lesson 5 from there', async () => {
    const version = await runTutor(['--version']);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
    );
    const listed = await runTutor(['list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((l: { number: number }) => l.number)).toEqual(
      listLessons().map((l) => l.number),
    );
    const course = await runTutor(['start', '--yes', '--from', '5', '--port', '0'], {}, 120_000);
    expect(course.stderr).not.toMatch(/\bat \S+:\d+/);
    expect(course.code, course.stdout + course.stderr).toBe(0);
    for (const lesson of listLessons().filter((l) => l.number >= 5)) {
      expect(course.stdout).toMatch(new RegExp(`✔ +${lesson.number} ${lesson.title}`));
    }
  }, 180_000);

  it('loads nothing but its bin for --version, and the bin and the entry file for --help and list', async () => {
    // a module hook that writes every file Node loads to stderr
    const hooks = `export async function load(url, context, next) {
      if (url.startsWith('file:')) (await import('node:fs')).writeSync(2, 'loaded ' + url + '\\n');
      return next(url, context);
    }`;
    const register = `import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));`;
    const dist = join(app, 'node_modules/session-tutor/dist');
    const bin = join(dist, 'session-tutor.cjs');
    for (const args of [['--version'], ['--help'], ['list']]) {
      const child = spawn(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(register)}`, bin, ...args],
        { env: { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome() } },
      );
      const result = await collectRun(child, `session-tutor ${args.join(' ')}`);
      expect(result.code, result.stderr).toBe(0);
      const loaded = result.stderr.match(/^loaded .*$/gm) ?? [];
      const expected = args[0] === '--version' ? [bin] : [bin, join(dist, 'cli.js')];
      expect(loaded, args.join(' ')).toEqual(expected.map((file) => `loaded file://${file}`));
    }
  });
});

describe('the installed package serving a stage', () => {
  it('answers a form in a charset it does not read with 415, East Asian ones too (their tables are left out)', async () => {
    const child = spawn(tutor, ['serve', '5', '--port', '0'], {
      cwd: app,
      env: { ...process.env, NO_COLOR: '1', SESSION_SECRET: 'a test secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [, url] = await waitForOutput(child, /Stage 5 is running at (\S+)/, 20_000);
      for (const [charset, status] of [
        ['shift_jis', 415],
        ['euc-kr', 415],
        ['gbk', 415],
        ['utf-8', 302],
      ] as const) {
        const response = await fetch(`${url.replace('localhost', '127.0.0.1')}/setName`, {
          method: 'POST',
          headers: { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` },
          body: 'name=Ada',
          redirect: 'manual',
          signal: AbortSignal.timeout(5000),
        });
        expect(response.status, charset).toBe(status);
      }
    } finally {
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      await closed;
    }
  });
});

describe('--store redis:// from the installed package', () => {
  /** `serve 9` from the installed package, stopped when its output says where it runs. */
  async function serveNine(store: string): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(tutor, ['serve', '9', '--port', '0', '--store', store], {
      cwd: app,
      env: { ...process.env, NO_COLOR: '1', SESSION_SECRET: 'a test secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [, url] = await waitForOutput(child, /Stage 9 is running at (\S+)/, 20_000);
    return { child, url: url.replace('localhost', '127.0.0.1') };
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = once(child, 'close');
    child.kill('SIGTERM');
    await closed;
  }

  it('names the packages to install beside it when they are missing', async () => {
    const refused = await runTutor(['serve', '9', '--port', '0', '--store', 'redis://127.0.0.1:1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`npm install ${redisPackages}`);
    expect(refused.stderr).not.toMatch(/\bat \S+:\d+/);
  });

  it.runIf(redisUrl)(
    'keeps sessions in Redis once redis, connect-redis and express-session are beside it',
    async () => {
      // installed beside the tutor: connect-redis extends that express-session's Store, not the
      // one bundled into the tutor
      for (const name of ['redis', 'connect-redis', 'express-session']) {
        symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name));
      }
      const visitor = new Visitor('tester', 'jar');
      let served = await serveNine(redisUrl ?? '');
      try {
        await visitor.post(`${served.url}/setName`, { name: 'Ada beside' });
        await stop(served.child);
        // a new process, on another port: a cookie belongs to the host, whatever its port
        served = await serveNine(redisUrl ?? '');
        const [page] = await visitor.get(`${served.url}/`);
        expect(page.keyLine).toBe('<h1>Ada beside</h1>');
      } finally {
        await stop(served.child);
        await visitor.close();
        for (const name of ['redis', 'connect-redis', 'express-session']) {
          rmSync(join(app, 'node_modules', name), { force: true });
        }
      }
    },
    60_000,
  );
});
