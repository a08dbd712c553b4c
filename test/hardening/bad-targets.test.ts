import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers.js';
import {
  type BadTarget,
  cookieStorm,
  huge,
  notHttp,
  redirectLoop,
  refused,
  silent,
  trickling,
} from './bad-targets.js';

/**
 * Runs the CLI against a target and measures from its first word on screen (so the time Node
 * takes to start is not counted) to its exit.
 */
function timedRun(args: string[]): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const child = spawnCli(args);
    let out = '';
    let began: number | undefined;
    const take = (d: Buffer) => {
      began ??= Date.now();
      out += d;
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('close', (code) => resolve({ code, out, ms: Date.now() - (began ?? Date.now()) }));
  });
}

const targets: { what: string; make: () => Promise<BadTarget>; says: RegExp }[] = [
  {
    what: 'a refused connection',
    make: refused,
    says: /Nothing is listening at .*is your server running/,
  },
  {
    what: 'a server that accepts and never answers',
    make: silent,
    says: /did not answer within 3 s/,
  },
  {
    what: 'a server that answers byte by byte',
    make: trickling,
    says: /did not answer within 3 s/,
  },
  { what: 'a server that does not speak HTTP', make: notHttp, says: /answered, but not in HTTP/ },
  { what: 'a redirect loop', make: redirectLoop, says: /redirected more than 10 times/ },
  { what: 'a 50 MB page', make: huge, says: /sent a page larger than 1 MB/ },
];

describe.each([
  ['probe', (url: string) => ['probe', url]],
  ['check', (url: string) => ['check', '5', '--url', url]],
] as const)('%s against a target that misbehaves', (command, args) => {
  it.each(targets)('$what: ends within 5 s, exit 1, naming the problem', async ({ make, says }) => {
    const target = await make();
    try {
      const run = await timedRun(args(target.url));
      expect(run.out).toMatch(says);
      expect(run.code).toBe(1);
      expect(run.ms).toBeLessThan(5000);
      expect(run.out).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
    } finally {
      await target.close();
    }
  });

  it('a server that sets 200 cookies: ends within 5 s, and says how many', async () => {
    const target = await cookieStorm();
    try {
      const run = await timedRun(args(target.url));
      expect(run.ms).toBeLessThan(5000);
      // the storm is not a session: check fails its expectations, probe sums the cookies up
      if (command === 'probe') {
        expect(run.out).toMatch(/The server set 200 cookies; the first 10 are explained above/);
        expect(run.out.match(/The cookie c\d+, taken apart/g)?.length).toBe(10);
      } else {
        expect(run.code).toBe(1);
        expect(run.out).toMatch(/of 4 expectations of lesson 5 pass/);
      }
    } finally {
      await target.close();
    }
  });

  it.each(['localhost:3000', 'http//localhost:3000', 'ftp://localhost/', 'http://', '::::'])(
    'an invalid URL (%s): exit 2 saying how to write one',
    async (url) => {
      const run = await runCli(args(url));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/http:\/\/localhost:3000/);
      expect(run.stderr).not.toMatch(/\bat \S+:\d+/);
    },
  );
});
