// Shared pieces of the benchmark: timing whole processes, medians, and tables.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions, own, root, splitOptions } from '../scripts/bundle-options.js';

export { root };
// what a learner runs: package.json's bin
export const cli = join(root, own.bin['session-tutor']);

// The bench's own programs reach inside the tutor (the stage host, a demo, a stage app), which the
// shipped bundle does not export. They are bundled from source here as the CLI is, split the same
// way, one folder below the package root where src/paths.ts looks for it (git-ignored).
export const harness = join(root, '.bench-build');

export async function buildHarness() {
  rmSync(harness, { recursive: true, force: true });
  await build({
    ...bundleOptions,
    ...splitOptions,
    absWorkingDir: root,
    entryPoints: {
      'stage-switch-child': 'bench/stage-switch-child.js',
      'demo-server': 'bench/demo-server.js',
      render: 'src/cli/render.ts',
    },
    outdir: harness,
  });
  // the stages read their form page beside them, as the build's dist/stages/form.html
  mkdirSync(join(harness, 'stages'), { recursive: true });
  copyFileSync(join(root, 'src/stage/stages/form.html'), join(harness, 'stages/form.html'));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const ms = (value) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
export const ratio = (value) => `${value.toFixed(2)}×`;

/** A fresh tutor home, so no run reads or writes the learner's real progress. */
export function freshHome() {
  return mkdtempSync(join(tmpdir(), 'session-tutor-bench-'));
}

/** The environment every measured tutor process gets: plain text and a fresh home. */
export function tutorEnv() {
  return { ...process.env, NO_COLOR: '1', SESSION_TUTOR_HOME: freshHome() };
}

/**
 * Spawns a process and resolves with the milliseconds from spawn until `until` says the output so
 * far is enough (then the process is stopped with `stop`), or until it exits, and all its output.
 * An exit code not in `exitCodes` (only 0 by default) rejects. Rejects on a non-zero
 * exit before that, and after `timeoutMs` whatever happens. `onChunk` sees each piece of stdout
 * with the time it arrived.
 */
export function timeProcess(command, args, options = {}) {
  const {
    until,
    stop,
    onChunk,
    env = process.env,
    timeoutMs = 60_000,
    keepStdin = false,
    exitCodes = [0],
  } = options;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(command, args, {
      env,
      stdio: [keepStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stderr = '';
    let untilMs;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      onChunk?.(chunk, elapsed());
      if (untilMs === undefined && until?.(output)) {
        untilMs = elapsed();
        stop(child);
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (untilMs !== undefined) return resolve({ ms: untilMs, output });
      const ms = elapsed();
      if (!exitCodes.includes(code)) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}${stderr}`));
      } else resolve({ ms, output });
    });
  });
}

/** A Markdown table; it reads well in a terminal too. */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
