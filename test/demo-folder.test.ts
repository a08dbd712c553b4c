import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Windows, simulated: a file an antivirus is scanning cannot be removed for a moment (EBUSY).
const busyFor = vi.hoisted(() => ({ calls: 0, failures: 0 }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rm: async (...args: Parameters<typeof fs.rm>) => {
      busyFor.calls++;
      if (busyFor.calls <= busyFor.failures) {
        throw Object.assign(new Error(`EBUSY: resource busy or locked, rm '${args[0]}'`), {
          code: 'EBUSY',
        });
      }
      return fs.rm(...args);
    },
  };
});

const { demoFolder } = await import('../src/course/demo-folder.js');

/** A lesson's demo context, as far as owning things goes: stops what it owns when it ends. */
function demoContext() {
  const owned: { stop(): Promise<void> }[] = [];
  return {
    own<T extends { stop(): Promise<void> }>(thing: T): T {
      owned.push(thing);
      return thing;
    },
    end: () => Promise.all(owned.map((thing) => thing.stop())),
  };
}

afterEach(() => {
  busyFor.calls = 0;
  busyFor.failures = 0;
});

describe("lessons 9 and 10's temporary folder", () => {
  it('is removed when the demo ends, also when it stays busy for a moment', async () => {
    busyFor.failures = 2;
    const ctx = demoContext();
    const dir = demoFolder(ctx, 9);
    writeFileSync(join(dir, 'sessions.sqlite'), 'x');
    await ctx.end();
    expect(busyFor.calls).toBe(3);
    expect(existsSync(dir)).toBe(false);
  });

  it('never fails the lesson when it stays busy: it is left in the temporary folder', async () => {
    busyFor.failures = Number.POSITIVE_INFINITY;
    const ctx = demoContext();
    const dir = demoFolder(ctx, 10);
    try {
      await expect(ctx.end()).resolves.toBeDefined();
      expect(existsSync(dir)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
