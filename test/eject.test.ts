import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, posix, win32 } from 'node:path';
import { promisify } from 'node:util';
import { init, parse } from 'es-module-lexer';
import { describe, expect, it } from 'vitest';
import { ejectedStage, placeOf, writeEjected } from '../src/cli/eject/project.js';
import { findLesson, listLessons } from '../src/course/catalog.js';
import { Visitor } from '../src/probe/visitor.js';
import { hasNodeSqlite } from '../src/stage/stores/sqlite.js';
import { binPath, freshHome, runCli, waitForOutput } from './helpers.js';

const run = promisify(execFile);
const repoModules = join(import.meta.dirname, '..', 'node_modules');
const redisUrl = process.env.REDIS_URL;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a command in its own process group, so stopping it also stops what it started. */
function startIn(folder: string, command: string, args: string[], env: NodeJS.ProcessEnv) {
  return spawn(command, args, {
    cwd: folder,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = once(child, 'close');
  process.kill(-(child.pid as number), 'SIGTERM');
  await closed;
}

describe('eject', () => {
  it('gives a project that installs, starts with npm start, and passes check 5', async () => {
    const folder = join(freshHome(), 'my-server');
    const ejected = await runCli(['eject', '5', folder]);
    expect(ejected.code).toBe(0);
    // from the ejected folder, which has a package.json of its own, npx would ask the registry
    // for session-tutor: the command names this tutor's bin instead
    const printed = `node ${binPath} check 5`;
    expect(ejected.stdout).toContain(printed);
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node --watch server.js');
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain(printed);

    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: folder,
      timeout: 240_000,
    });
    const port = await freePort();
    const server = startIn(folder, 'npm', ['start'], {
      PORT: String(port),
      SESSION_SECRET: 'a test secret',
    });
    try {
      await waitForOutput(server, /Stage 5 is running at/, 20_000);
      const check = await runCli(['check', '5', '--url', `http://127.0.0.1:${port}`]);
      expect(check.stdout).toContain('All 4 expectations of lesson 5 pass.');
      expect(check.code).toBe(0);
    } finally {
      await stop(server);
    }
  }, 300_000);

  it('ejects every stage as a copy of its room that runs and passes its own check (or, without one, answers)', async () => {
    for (const stage of listLessons()) {
      const folder = join(freshHome(), stage.name);
      expect((await runCli(['eject', String(stage.number), folder])).code).toBe(0);
      // the stage's own file, line for line, comments included, at its place in the room
      const source = readFileSync(stage.stageSource, 'utf8').split('\n');
      const body = source.slice(
        source.findIndex((l) => l.startsWith('export function createApp')) + 1,
      );
      const copied = readFileSync(join(folder, 'stages', `${stage.name}.js`), 'utf8');
      expect(copied).toContain(body.join('\n'));
      // installed offline: the tutor's own node_modules, which hold every package it lists
      symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
      const server = startIn(folder, process.execPath, ['server.js', '--port', '0'], {
        SESSION_SECRET: 'a test secret',
      });
      try {
        const [, port] = await waitForOutput(
          server,
          new RegExp(`Stage ${stage.number} is running at http://localhost:(\\d+)`),
        );
        // a lesson whose idea cannot be seen over HTTP has no check; lesson 1's asks that GET / answers
        const lesson = stage.checksOverHttp ? stage.number : 1;
        const check = await runCli(['check', String(lesson), '--url', `http://127.0.0.1:${port}`]);
        expect(check.code, `${stage.name}\n${check.stdout}`).toBe(0);
        expect(check.stdout).toMatch(new RegExp(`of lesson ${lesson} pass(es)?\\.`));
      } finally {
        await stop(server);
      }
    }
  }, 120_000);

  it("copies none of the tutor's own secret keeping: the room and every ejected stage lack it", async () => {
    const tutorOnly = [
      ...Object.keys(await import('../src/server/tutor-secret.js')),
      'development-secret',
    ];
    expect(tutorOnly).toEqual(
      expect.arrayContaining(['chooseSecret', 'developmentSecret', 'development-secret']),
    );
    const roomDir = join(import.meta.dirname, '..', 'dist', 'javascript');
    const roomFiles = Object.keys(JSON.parse(readFileSync(join(roomDir, 'imports.json'), 'utf8')));
    expect(roomFiles).toContain('secret.js');
    const texts = [
      ...roomFiles.map((file) => [`room ${file}`, readFileSync(join(roomDir, file), 'utf8')]),
      ...listLessons().flatMap((stage) =>
        [...ejectedStage(stage)].map(([file, code]) => [`stage ${stage.number} ${file}`, code]),
      ),
    ];
    for (const [where, text] of texts)
      for (const name of tutorOnly) expect(text, `${where} holds ${name}`).not.toContain(name);
  });

  it('writes POSIX paths into code, so a project ejected on Windows (path.win32) starts and passes', async () => {
    const files = ejectedStage(findLesson(12));
    await init;
    for (const [file, code] of files) {
      expect(file).not.toContain('\\');
      expect(placeOf('C:\\Users\\ada\\stage', file, win32)).toBe(
        `C:\\Users\\ada\\stage\\${file.split('/').join('\\')}`,
      );
      if (!file.endsWith('.js')) continue;
      for (const { n } of parse(code)[0]) {
        if (!n?.startsWith('.')) continue;
        expect(n).not.toContain('\\');
        expect(files.has(posix.join(posix.dirname(file), n)), `${file} imports ${n}`).toBe(true);
      }
    }
    const folder = join(freshHome(), 'on-windows');
    writeEjected(files, folder, false);
    symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
    const server = startIn(folder, process.execPath, ['server.js', '--port', '0'], {
      SESSION_SECRET: 'a test secret that is long enough for production use',
    });
    try {
      const [, port] = await waitForOutput(
        server,
        /Stage 12 is running at http:\/\/localhost:(\d+)/,
      );
      const check = await runCli(['check', '12', '--url', `http://127.0.0.1:${port}`]);
      expect(check.code, check.stdout).toBe(0);
    } finally {
      await stop(server);
    }
  }, 60_000);

  it('listens on loopback only, takes --port, and refuses any other argument in one sentence', async () => {
    const folder = join(freshHome(), 'stage-3');
    expect((await runCli(['eject', '3', folder])).code).toBe(0);
    symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
    const env = { ...process.env, SESSION_SECRET: 'a test secret' };
    // a lost `--` (older PowerShell npm shims) passes a value on its own: refused, not ignored
    const stray = await run(process.execPath, ['server.js', 'sqlite:x.sqlite'], {
      cwd: folder,
      env,
    }).catch((e) => e);
    expect(stray.code).toBe(2);
    expect(stray.stderr.trim()).toBe(
      'error: This server takes --port N only, so "sqlite:x.sqlite" is not understood.',
    );
    // `npm start -- --port 3001` through an older npm.ps1: npm keeps --port, the server gets 3001
    const port = await freePort();
    const lost = await run(process.execPath, ['server.js', String(port)], {
      cwd: folder,
      env,
    }).catch((e) => e);
    expect(lost.code).toBe(2);
    expect(lost.stderr.trim()).toBe(
      [
        `error: This server takes --port N only, so "${port}" is not understood.`,
        'If you typed this in PowerShell, npm dropped the --:',
        `  npm start -- --port ${port}`,
        'Set the variable instead:',
        `  $env:PORT = '${port}'; npm start`,
      ].join('\n'),
    );
    const server = startIn(folder, process.execPath, ['server.js', '--port', String(port)], env);
    try {
      await waitForOutput(server, new RegExp(`Stage 3 is running at http://localhost:${port}\\b`));
      const visitor = new Visitor('tester', 'jar');
      try {
        const [page] = await visitor.get(`http://127.0.0.1:${port}/`);
        expect(page.status).toBe(200);
      } finally {
        await visitor.close();
      }
      // another address of this machine, when it has one, is not listened on
      const outside = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && !a.internal && a.family === 'IPv4');
      if (outside) {
        const outcome = await new Promise<string>((resolve) => {
          const socket = connect({ host: outside.address, port, timeout: 2000 });
          socket.on('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
          socket.on('timeout', () => {
            socket.destroy();
            resolve('timeout');
          });
        });
        expect(outcome).not.toBe('connected');
      }
    } finally {
      await stop(server);
    }
  });

  it('needs no secret for stage 1, which signs nothing, and its README says nothing of one', async () => {
    const folder = join(freshHome(), 'stage-1');
    expect((await runCli(['eject', '1', folder])).code).toBe(0);
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    expect(readme).not.toContain('SESSION_SECRET');
    expect(readme).not.toContain('form');
    symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
    const env = { ...process.env };
    delete env.SESSION_SECRET;
    const server = startIn(folder, process.execPath, ['server.js', '--port', '0'], env);
    try {
      await waitForOutput(server, /Stage 1 is running at http:\/\/localhost:\d+/);
    } finally {
      await stop(server);
    }
  });

  it('refuses a weak production secret with the same sentence and exit code as serve', async () => {
    const folder = join(freshHome(), 'stage-11');
    expect((await runCli(['eject', '11', folder])).code).toBe(0);
    symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
    const weak = { NODE_ENV: 'production', SESSION_SECRET: 'short' };
    const ejected = await run(process.execPath, ['server.js', '--port', '0'], {
      cwd: folder,
      env: { ...process.env, ...weak },
    }).catch((e) => e);
    const served = await runCli(['serve', '11', '--port', '0'], weak);
    expect(served.code).toBe(2);
    expect(ejected.code).toBe(served.code);
    expect(ejected.stderr).toContain('SESSION_SECRET holds a weak secret (5 characters)');
    expect(ejected.stderr.trim()).toBe(served.stderr.trim());
    expect(ejected.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops with a clear message when SESSION_SECRET is missing; its README sets one in every shell', async () => {
    const folder = join(freshHome(), 'no-secret');
    await runCli(['eject', '4', folder]);
    symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
    const env = { ...process.env };
    delete env.SESSION_SECRET;
    const failed = await run(process.execPath, ['server.js'], { cwd: folder, env }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('SESSION_SECRET is not set');
    // one generator that runs in bash, PowerShell and cmd alike: Node's cryptographic one
    const generator = `node -p "require('crypto').randomBytes(32).toString('hex')"`;
    expect(failed.stderr).toContain(generator);
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain(`export SESSION_SECRET="$(${generator})"`);
    expect(readme).toContain(`$env:SESSION_SECRET = ${generator}`);
    expect(readme).toContain('set SESSION_SECRET=');
    expect(readme).not.toContain('openssl');
  });

  it('lists the packages it imports with the versions the tutor is built with', async () => {
    const own = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    const folder = join(freshHome(), 'stage-9');
    expect((await runCli(['eject', '9', folder])).code).toBe(0);
    const { dependencies } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    // stage 9 chooses its store as the tutor does, so Redis's packages come with it
    expect(Object.keys(dependencies)).toEqual(
      expect.arrayContaining(['connect-redis', 'express', 'express-session', 'redis']),
    );
    for (const [name, version] of Object.entries(dependencies)) {
      expect(version, name).toBe(own.devDependencies[name]);
    }
  });

  describe('stages that choose their store (9 and 10), with --store or STORE as the tutor', () => {
    /** Tells ejected stage 9 a name, restarts it on the same port, and says what it shows. */
    async function nameAfterRestart(args: string[], env: NodeJS.ProcessEnv = {}) {
      const folder = join(freshHome(), 'stage-9');
      expect((await runCli(['eject', '9', folder])).code).toBe(0);
      symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
      const port = String(await freePort());
      const start = () =>
        startIn(folder, process.execPath, ['server.js', ...args], {
          PORT: port,
          SESSION_SECRET: 'a test secret',
          ...env,
        });
      const visitor = new Visitor('tester', 'jar');
      let server = start();
      try {
        await waitForOutput(server, /Stage 9 is running at/);
        await visitor.post(`http://127.0.0.1:${port}/setName`, { name: 'Ada' });
        await stop(server);
        server = start();
        await waitForOutput(server, /Stage 9 is running at/);
        const [page] = await visitor.get(`http://127.0.0.1:${port}/`);
        return page.keyLine;
      } finally {
        await stop(server);
        await visitor.close();
      }
    }

    it('keeps sessions in memory by default: a restart forgets', async () => {
      expect(await nameAfterRestart([])).toBe('<h1>Hello, stranger</h1>');
    });

    it.skipIf(!hasNodeSqlite())('--store sqlite:FILE remembers across a restart', async () => {
      const file = join(freshHome(), 'sessions.sqlite');
      expect(await nameAfterRestart(['--store', `sqlite:${file}`])).toBe('<h1>Ada</h1>');
    });

    it.runIf(redisUrl)('STORE=redis://… remembers across a restart', async () => {
      expect(await nameAfterRestart([], { STORE: redisUrl })).toBe('<h1>Ada</h1>');
    });

    it('refuses a store it does not know, or cannot open, in one sentence', async () => {
      const folder = join(freshHome(), 'stage-10');
      expect((await runCli(['eject', '10', folder])).code).toBe(0);
      symlinkSync(repoModules, join(folder, 'node_modules'), 'junction');
      expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain(
        'npm start -- --store sqlite:sessions.sqlite',
      );
      const env = { ...process.env, SESSION_SECRET: 'a test secret' };
      const unknown = await run(process.execPath, ['server.js', '--store', 'mongo'], {
        cwd: folder,
        env,
      }).catch((e) => e);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/"mongo" is not a session store: use memory, sqlite/);
      // `npm start -- --store sqlite:sessions.sqlite` through an older npm.ps1 loses its flag
      const lost = await run(process.execPath, ['server.js', 'sqlite:sessions.sqlite'], {
        cwd: folder,
        env,
      }).catch((e) => e);
      expect(lost.code).toBe(2);
      expect(lost.stderr).toContain(
        "Set the variable instead:\n  $env:STORE = 'sqlite:sessions.sqlite'; npm start\n",
      );
      const unreachable = await run(process.execPath, ['server.js'], {
        cwd: folder,
        env: { ...env, STORE: 'redis://127.0.0.1:1' },
      }).catch((e) => e);
      expect(unreachable.code).toBe(2);
      expect(unreachable.stderr).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 /);
      expect(unreachable.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('refuses a folder that is not empty, unless --force, and keeps the other files', async () => {
    const folder = join(freshHome(), 'work');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    writeFileSync(join(folder, 'server.js'), '// my own server');
    const refused = await runCli(['eject', '5', folder]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not empty, and eject never overwrites your work');
    expect(readFileSync(join(folder, 'server.js'), 'utf8')).toBe('// my own server');
    const forced = await runCli(['eject', '5', folder, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(folder, 'server.js'), 'utf8')).toContain('Stage 5');
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a file in place of the folder, and a folder it cannot write to, in one sentence', async () => {
    const file = join(freshHome(), 'notes.txt');
    writeFileSync(file, 'mine');
    const onFile = await runCli(['eject', '3', file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain('is a file, not a folder');
    expect(readFileSync(file, 'utf8')).toBe('mine');
    const underFile = await runCli(['eject', '3', join(file, 'inside')]);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toMatch(/Cannot write .*: pick a folder you can write to/);
    expect(underFile.stderr).not.toMatch(/\bat \S+:\d+/);
  });

  it('says which stages exist when asked for one that does not', async () => {
    const result = await runCli(['eject', '42', join(freshHome(), 'x')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('There is no lesson 42');
  });
});
