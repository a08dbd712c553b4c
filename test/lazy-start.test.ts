import { afterEach, describe, expect, it } from 'vitest';
import { findLesson } from '../src/course/catalog.js';
import { startStage } from '../src/server/start.js';

const environment = { ...process.env };
afterEach(() => {
  process.env = { ...environment };
});

describe('starting a stage lazily, as the walkthrough does', () => {
  it('listens at once and answers its first request once the app has loaded', async () => {
    const stage = await startStage(findLesson(5), { secret: 'a test secret', lazy: true });
    try {
      const response = await fetch(`${stage.probeUrl}/`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
      await expect(stage.ready()).resolves.toBeUndefined();
    } finally {
      await stage.stop();
    }
  });

  it('reports a stage that refuses to start through ready(), and answers requests with a 500 page', async () => {
    process.env.NODE_ENV = 'production';
    process.env.SESSION_SECRET = 'keyboard cat';
    const stage = await startStage(findLesson(11), { secret: 'keyboard cat', lazy: true });
    try {
      await expect(stage.ready()).rejects.toThrow();
      const response = await fetch(`${stage.probeUrl}/`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(500);
      expect(await response.text()).toContain('could not be loaded');
    } finally {
      await stage.stop();
    }
  });

  it('started eagerly, refuses at once and leaves no server behind', async () => {
    process.env.NODE_ENV = 'production';
    process.env.SESSION_SECRET = 'keyboard cat';
    await expect(startStage(findLesson(11), { secret: 'keyboard cat' })).rejects.toThrow();
  });
});
