import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../../src/course/catalog.js';
import { storedSessions } from '../../src/course/stored.js';
import { greets } from '../../src/probe/verdict.js';
import { withStage, withVisitors } from '../helpers.js';

// The last stage carries every idea of the earlier ones, so load goes to it.
const stage = listLessons().at(-1)?.number ?? 1;

/** Runs `task(i)` for i in 0..count-1 with at most `parallel` running at once. */
async function inParallel(count: number, parallel: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

// bounded in count, with a generous timeout for a busy 2-core machine; nothing asserts on time
describe(`stage ${stage} under load`, { timeout: 180_000 }, () => {
  it('creates no session and sets no cookie under a flood of 10,000 cookie-less requests', async () => {
    await withStage(stage, async (running) => {
      const agent = new Agent({ connections: 32, headersTimeout: 10_000, bodyTimeout: 10_000 });
      let cookiesSet = 0;
      const statuses = new Map<number, number>();
      try {
        await inParallel(10_000, 32, async () => {
          const response = await request(`${running.probeUrl}/`, { dispatcher: agent });
          await response.body.text();
          if (response.headers['set-cookie']) cookiesSet++;
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        });
      } finally {
        await agent.close();
      }
      expect(Object.fromEntries(statuses)).toEqual({ 200: 10_000 });
      expect(cookiesSet).toBe(0);
      expect(await storedSessions(running.store)).toEqual([]);
      console.info(
        `[figures] flood: 10000 cookie-less requests, ${cookiesSet} cookies, 0 sessions`,
      );
    });
  });

  it('gives 200 concurrent visitors, each with their own jar, their own name back: zero mix-ups', async () => {
    const count = 200;
    const names = Array.from({ length: count }, (_, i) => `Visitor ${i} ✓`);
    await withStage(stage, (running) =>
      withVisitors(
        names.map(() => 'jar'),
        async (...visitors) => {
          const answers = await Promise.all(
            visitors.map(async (visitor, i) => {
              await visitor.post(`${running.probeUrl}/setName`, { name: names[i] });
              return (await visitor.get(`${running.probeUrl}/`)).at(-1);
            }),
          );
          const mixUps = answers.filter(
            (hop, i) => !greets(hop, names[i]) && names.some((other) => greets(hop, other)),
          ).length;
          const greeted = answers.filter((hop, i) => greets(hop, names[i])).length;
          console.info(
            `[figures] concurrency: ${count} visitors, ${greeted} greeted by their own name, ${mixUps} mix-ups`,
          );
          expect(mixUps).toBe(0);
          expect(greeted).toBe(count);
          const stored = (await storedSessions(running.store)).map((s) => s.data.myName);
          expect(stored.sort()).toEqual([...names].sort());
        },
      ),
    );
  });

  it('keeps one session per visitor through a soak of 20,000 requests with cookies', async () => {
    const visitorCount = 50;
    const names = Array.from({ length: visitorCount }, (_, i) => `Soak ${i}`);
    await withStage(stage, (running) =>
      withVisitors(
        names.map(() => 'jar'),
        async (...visitors) => {
          // each visitor gets its cookie the way a browser does; the soak then replays it over
          // one pool of connections, so the figures are the server's work more than the jar's
          const cookies = await Promise.all(
            visitors.map(async (visitor, i) => {
              await visitor.post(`${running.probeUrl}/setName`, { name: names[i] });
              return visitor.jar.getCookieString(running.probeUrl);
            }),
          );
          const agent = new Agent({ connections: 16, headersTimeout: 10_000, bodyTimeout: 10_000 });
          const before = process.memoryUsage().rss;
          let requests = visitorCount;
          let wrong = 0;
          let halfway = 0;
          try {
            await inParallel(20_000 - visitorCount, 16, async (n) => {
              const i = n % visitorCount;
              const response = await request(`${running.probeUrl}/`, {
                dispatcher: agent,
                headers: { cookie: cookies[i] },
              });
              const body = await response.body.text();
              if (!body.includes(`<h1>${names[i]}</h1>`)) wrong++;
              if (++requests === 10_000) halfway = process.memoryUsage().rss;
            });
          } finally {
            await agent.close();
          }
          const after = process.memoryUsage().rss;
          const sessions = await storedSessions(running.store);
          console.info(
            `[figures] soak: ${requests} requests, ${visitorCount} visitors, ${sessions.length} sessions, ` +
              `${wrong} wrong answers, RSS ${megabytes(before)} MB before, ${megabytes(halfway)} MB halfway, ${megabytes(after)} MB after`,
          );
          expect(requests).toBe(20_000);
          expect(wrong).toBe(0);
          expect(sessions.length).toBe(visitorCount);
          // a loose bound that catches a leak (per request or per session), not a timing
          expect(after - before).toBeLessThan(200 * 1024 * 1024);
        },
      ),
    );
  });
});
