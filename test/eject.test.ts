import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findLesson, listLessons } from '../src/course/catalog.js';
import { lessonChecks } from '../src/course/check.js';
import { freshHome, runCli, waitForOutput } from './helpers.js';

const run = promisify(execFile);
const repoModules = join(import.meta.dirname, '..', 'node_modules');

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
    expect(ejected.stdout).toContain('npx session-tutor check 5');
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node --watch server.js');
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain('npx session-tutor check 5');

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

  it('ejects every stage as JavaScript that runs and passes its own check (or, without one, answers)', async () => {
    for (const stage of listLessons()) {
      const folder = join(freshHome(), stage.name);
      expect((await runCli(['eject', String(stage.number), folder])).code).toBe(0);
      // the same code as the stage: its body, line for line, comments included
      const source = readFileSync(stage.stageSource, 'utf8').split('\n');
      const body = source.slice(
        source.findIndex((l) => l.startsWith('export function createApp')) + 1,
      );
      expect(readFileSync(join(folder, 'server.js'), 'utf8')).toContain(body.join('\n'));
      symlinkSync(repoModules, join(folder, 'node_modules'));
      const port = await freePort();
      const server = startIn(folder, process.execPath, ['server.js'], {
        PORT: String(port),
        SESSION_SECRET: 'a test secret',
      });
      try {
        await waitForOutput(server, new RegExp(`Stage ${stage.number} is running at`));
        // a lesson whose idea cannot be seen over HTTP has no check; lesson 1's asks that GET / answers
        const lesson = (await lessonChecks(findLesson(stage.number))) ? stage.number : 1;
        const check = await runCli(['check', String(lesson), '--url', `http://127.0.0.1:${port}`]);
        expect(check.code, `${stage.name}\n${check.stdout}`).toBe(0);
      } finally {
        await stop(server);
      }
    }
  }, 120_000);

  it('stops with a clear message when SESSION_SECRET is missing', async () => {
    const folder = join(freshHome(), 'no-secret');
    await runCli(['eject', '4', folder]);
    symlinkSync(repoModules, join(folder, 'node_modules'));
    const env = { ...process.env };
    delete env.SESSION_SECRET;
    const failed = await run(process.execPath, ['server.js'], { cwd: folder, env }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('SESSION_SECRET is not set');
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
