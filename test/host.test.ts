import type { Store } from 'express-session';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { StageHost } from '../src/server/host.js';

describe('one store for the whole run', () => {
  it('gathers no listeners however many stages the host starts (going back and forth)', async () => {
    const host = new StageHost({ port: 0, portAskedFor: true, host: '127.0.0.1', secret: 's' });
    // express-session listens for 'connect' and 'disconnect' on the store of each app it serves
    const counts: number[] = [];
    const stores = new Set<Store>();
    try {
      for (let pass = 0; pass < 2; pass++) {
        for (const lesson of listLessons()) {
          const { stage } = await host.switchTo(lesson);
          await stage.ready(); // the app, and its session middleware, are made here
          stores.add(stage.store);
          counts.push(stage.store.listenerCount('disconnect'));
        }
      }
    } finally {
      await host.stop();
    }
    // the running stage's own, never those of the stages before it
    expect(stores.size).toBe(1);
    const [store] = stores;
    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
    expect(store.listenerCount('disconnect')).toBe(0);
    expect(store.listenerCount('connect')).toBe(0);
  });
});
