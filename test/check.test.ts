import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../src/cli/width.js';
import { serverSideOption } from '../src/course/04-store-name.js';
import { findLesson, type LessonInfo, listLessons } from '../src/course/catalog.js';
import { type CheckReport, lessonChecks, runChecks } from '../src/course/check.js';
import { sessionCookies, signIn } from '../src/course/visits.js';
import { type CookieHabit, Visitor } from '../src/probe/visitor.js';
import { clientSideSessionApp } from '../src/server/contrasts.js';
import { listenApp } from '../src/server/start.js';
import { type Flavour, startFixture, startSilent } from './fixtures/servers.js';
import { freshHome, runCli, spawnCli, waitForOutput, withStage } from './helpers.js';

async function checkStage(lesson: LessonInfo, stage: number): Promise<CheckReport> {
  const checks = (await lessonChecks(lesson)) ?? [];
  return withStage(stage, (running) => runChecks(lesson, checks, running.probeUrl));
}

async function checkFixture(lessonNumber: number, flavour: Flavour): Promise<CheckReport> {
  const lesson = findLesson(lessonNumber);
  const fixture = await startFixture(flavour);
  try {
    return await runChecks(lesson, (await lessonChecks(lesson)) ?? [], fixture.url);
  } finally {
    await fixture.close();
  }
}

const failing = (report: CheckReport) =>
  report.results.filter((r) => !r.passed).map((r) => r.title);

// From the registry: lessons whose idea cannot be seen over HTTP have no checks, and those whose
// stage looks the same on the wire as the one before are proven against wrong servers, below.
const withoutChecks = listLessons()
  .filter((l) => !l.checksOverHttp)
  .map((l) => l.number);

describe('every lesson check', () => {
  for (const lesson of listLessons().filter((l) => !withoutChecks.includes(l.number))) {
    it(`lesson ${lesson.number} (${lesson.name}): passes on its own stage, fails on the stage before`, async () => {
      expect(await lessonChecks(lesson)).toBeDefined();
      const own = await checkStage(lesson, lesson.number);
      expect(failing(own), JSON.stringify(own.results, null, 1)).toEqual([]);
      expect(own.passed).toBe(true);
      if (lesson.sameOnTheWireAsBefore) return;
      const before = await checkStage(lesson, lesson.number - 1);
      expect(before.passed).toBe(false);
      expect(failing(before).length).toBeGreaterThan(0);
    });
  }

  it('every lesson has checks but those that cannot be seen over HTTP', async () => {
    const lessons = listLessons();
    const missing: number[] = [];
    for (const lesson of lessons) if (!(await lessonChecks(lesson))) missing.push(lesson.number);
    expect(missing).toEqual(withoutChecks);
    expect(await lessonChecks(findLesson(1))).toBeDefined();
  });
});

describe('checks against hand-written servers', () => {
  it('a correct server written without Express passes lessons 1 to 5', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const report = await checkFixture(n, 'correct');
      expect(failing(report), `lesson ${n}`).toEqual([]);
    }
  });

  it('a server that stores the name but never reads it back fails lesson 5', async () => {
    const report = await checkFixture(5, 'forgets');
    // forgetting a visitor without the cookie proves nothing where everyone is forgotten
    expect(failing(report)).toEqual([
      'a browser that sends the cookie back is greeted by its name',
      'a visitor that keeps no cookies is not greeted by the name it gave',
      'two browsers at once each get their own name back',
      'a name with HTML in it is shown as text, escaped',
    ]);
    expect(report.results[1].verdict?.outcome).toBe('everyone forgotten');
  });

  it('a server that echoes the name unescaped fails lesson 5 on the escaping expectation only', async () => {
    const report = await checkFixture(5, 'unescaped');
    expect(failing(report)).toEqual(['a name with HTML in it is shown as text, escaped']);
    const [result] = report.results.filter((r) => !r.passed);
    expect(result.verdict?.outcome).toBe('put into the page as HTML');
  });

  it('a server whose HTML only a parser reads right passes lessons 3 and 5: references, attribute order, a hidden token', async () => {
    for (const lesson of [3, 5]) {
      const report = await checkFixture(lesson, 'strict-html');
      expect(failing(report), `lesson ${lesson}`).toEqual([]);
    }
    const escaping = (await checkFixture(5, 'strict-html')).results.at(-1);
    expect(escaping?.verdict?.outcome).toBe('escaped');
    // the form was sent as a browser sends it: the token decoded, with the typed name
    const posted = escaping?.hops.find(({ hop }) => hop.method === 'POST')?.hop;
    expect(posted?.form).toMatchObject({ token: 't+1/2' });
    expect(posted?.form?.name).toMatch(/^<b>Eve-/);
  });

  it('a server that sets its cookie on the wrong path fails lesson 5 with a hint naming the path', async () => {
    const report = await checkFixture(5, 'cookie-path');
    const result = report.results.find((r) => r.title.startsWith('a browser that sends'));
    expect(result?.passed).toBe(false);
    expect(result?.hint).toContain('Path=/setName');
    // what was sent and what came back are recorded: the GET / went without a cookie
    expect(
      result?.hops.some(({ hop }) => hop.method === 'GET' && hop.cookieSent === undefined),
    ).toBe(true);
  });

  it('a server that sends every visitor a cookie fails lesson 2', async () => {
    const report = await checkFixture(2, 'cookie-for-everyone');
    expect(report.passed).toBe(false);
    expect(report.results[0].verdict?.outcome).toBe('sent a cookie');
  });

  it('a session cookie with SameSite=None fails lesson 11, and the verdict says None, not absent', async () => {
    const report = await checkFixture(11, 'samesite-none');
    const result = report.results.find((r) => r.title.startsWith('the session cookie is HttpOnly'));
    expect(result?.passed).toBe(false);
    expect(result?.verdict?.outcome).toBe('HttpOnly, SameSite=None');
    expect(result?.verdict?.evidence).toMatch(
      /^Set-Cookie: sid=[^;]+; Path=\/; HttpOnly; SameSite=None; Secure$/,
    );
  });

  it('passes lesson 6 only when a frame of /embedded gets a partitioned cookie: SameSite=None and Secure alone fail', async () => {
    const title = 'GET /embedded frames the app from another site with a partitioned cookie';
    const made = (await checkFixture(6, 'partitioned')).results.find((r) => r.title === title);
    expect(made?.passed, JSON.stringify(made?.verdict)).toBe(true);
    expect(made?.verdict?.evidence).toMatch(
      /^http:\/\/localhost:\d+\/: Set-Cookie: …; .*Partitioned/,
    );
    for (const flavour of ['correct', 'samesite-none'] as const) {
      const result = (await checkFixture(6, flavour)).results.find((r) => r.title === title);
      expect(result?.passed, flavour).toBe(false);
      expect(result?.verdict?.outcome).toBe('no frame gets a partitioned cookie');
    }
    // a frame's sign-in answered without any cookie: the hint names the withheld Secure cookie
    const withheld = (await checkFixture(6, 'frame-cookie-withheld')).results.find(
      (r) => r.title === title,
    );
    expect(withheld?.passed).toBe(false);
    expect(withheld?.verdict?.evidence).toMatch(/^http:\/\/localhost:\d+\/: no Set-Cookie$/);
    expect(withheld?.hint).toMatch(
      /^POST \/setName sent no Set-Cookie, .*cookie is Secure and withheld/,
    );
    expect(withheld?.hint).toContain('loopbackCountsAsSecure');
  });

  it('names no session cookie when three cookies are each needed to be remembered', async () => {
    const names = new Map<string, string>();
    const server = createServer(async (req, res) => {
      const jar = new URLSearchParams(req.headers.cookie?.replace(/;\s*/g, '&') ?? '');
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const id = String(names.size);
        names.set(id, new URLSearchParams(body).get('name') ?? '');
        const cookies = ['a', 'b', 'c'].map((k) => `${k}=${id}; Path=/; HttpOnly; SameSite=Lax`);
        res.writeHead(303, { location: '/', 'set-cookie': cookies }).end();
        return;
      }
      const ids = new Set(['a', 'b', 'c'].map((k) => jar.get(k)));
      const name = ids.size === 1 ? names.get([...ids][0] ?? '') : undefined;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(name ?? '<form method="post" action="/setName"><input name="name"></form>');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const visitors: Visitor[] = [];
    const ctx = {
      url,
      visitor: (label: string, habit: CookieHabit) => {
        visitors.push(new Visitor(label, habit));
        return visitors[visitors.length - 1];
      },
      name: (base: string) => `${base}-x`,
    };
    try {
      const browser = ctx.visitor('a browser', 'jar');
      await signIn(url, browser, 'Ada-x');
      expect(await sessionCookies(ctx, browser, 'Ada-x')).toEqual({ others: {} });
    } finally {
      await Promise.all(visitors.map((v) => v.close()));
      server.closeAllConnections();
      server.close();
    }
  });

  it('a server that keeps the name in a readable signed cookie remembers, but fails lesson 4', async () => {
    expect((await checkFixture(5, 'client-side')).passed).toBe(true);
    const report = await checkFixture(4, 'client-side');
    const result = report.results.find((r) => !r.passed);
    expect(result?.verdict?.outcome).toBe('a cookie carrying the name');
    expect(result?.hint).toMatch(/can read Ada-\w+ in it/);
  });

  it("names Flask-Session in lesson 4's hint for a Flask session cookie", async () => {
    const report = await checkFixture(4, 'flask');
    const result = report.results.find((r) => !r.passed);
    expect(result?.hint).toMatch(
      /can read Ada-\w+ in it, and a signature only stops changes\. session=payload\.timestamp\.signature is the shape itsdangerous signs, .*as Flask's default session does\. With Flask, Flask-Session with SESSION_TYPE set to "redis" or "cachelib"/,
    );
  });

  it('an encrypted cookie session fails lesson 4: the cookie grows with the name', async () => {
    const report = await checkFixture(4, 'encrypted');
    const result = report.results.find((r) => !r.passed);
    expect(result?.verdict?.outcome).toBe('a cookie carrying the name, encrypted');
    expect(result?.verdict?.evidence).toMatch(
      /^the cookie sid grew from \d+ to \d+ characters for a name 200 characters longer, and cannot be read: the data travels in the cookie, encrypted$/,
    );
    expect(result?.hint).toContain('a copied cookie stays valid until it expires');
  });

  it("names express-session in lesson 4's hint for a real cookie-session server", async () => {
    const server = await listenApp(clientSideSessionApp('a test secret'));
    try {
      const lesson = findLesson(4);
      const report = await runChecks(lesson, (await lessonChecks(lesson)) ?? [], server.probeUrl);
      const result = report.results.find((r) => !r.passed);
      expect(result?.verdict?.outcome).toBe('a cookie carrying the name');
      expect(result?.hint).toContain(
        'session with session.sig is a session kept in a signed cookie, which carries the data itself: keep it on the server instead, in a server-side session (express-session with a store).',
      );
    } finally {
      await server.stop();
    }
  });

  it('gives no framework hint for a cookie that carries only a session ID', () => {
    expect(serverSideOption(['connect.sid=s%3Aabc.def; Path=/; HttpOnly'])).toBeUndefined();
  });
});

describe('check on the command line', () => {
  it('fails, without crashing, an expectation whose answer makes no sense', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(302, { location: 'http://[broken' });
      res.end();
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const run = await runCli(['check', '4', '--url', `http://127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('✘ POST /setName answers with a redirect back to /');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('counts one expectation in words, and names each hop’s visitor without nested brackets', async () => {
    await withStage(3, async (stage) => {
      const run = await runCli(['check', '3', '--url', stage.probeUrl, '--tutor-stage']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('The one expectation of lesson 3 passes.');
      expect(run.stdout).toContain('· a browser\n');
      // lesson 5 is where the cookie jar is explained: lesson 3 does not speak of one yet
      expect(run.stdout).not.toContain('cookie jar');
    });
    await withStage(2, async (stage) => {
      const run = await runCli(['check', '3', '--url', stage.probeUrl, '--tutor-stage']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('The one expectation of lesson 3 fails.');
      expect(run.stdout).not.toContain('0 of 1');
    });
  });

  it('wraps what check and probe print at words on a 60-column terminal: no word is cut by the terminal', async () => {
    const fixture = await startFixture('client-side');
    try {
      const env = { COLUMNS: '60', NO_COLOR: '1' };
      const check = await runCli(['check', '7', '--url', fixture.url], env);
      const probe = await runCli(['probe', fixture.url], env);
      for (const run of [check, probe]) {
        expect(run.stderr).toBe('');
        for (const line of run.stdout.split('\n')) {
          expect(displayWidth(line), line).toBeLessThanOrEqual(60);
        }
      }
      // a wrapped line continues indented; joined again, the sentences are whole
      const joined = (text: string) => text.replace(/\n +/g, ' ');
      expect(joined(check.stdout)).toContain(': until the browser closes, expected persistent');
      expect(joined(probe.stdout)).toContain('a signature, if there is one, only stops changes');
    } finally {
      await fixture.close();
    }
  });

  it('exits 0 and prints each expectation when all pass', async () => {
    await withStage(5, async (stage) => {
      const run = await runCli(['check', '5', '--url', stage.probeUrl, '--tutor-stage']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('✔ a browser that sends the cookie back is greeted by its name');
      expect(run.stdout).toContain('→ POST /setName');
      expect(run.stdout).toContain('All 4 expectations of lesson 5 pass.');
      // once it passes, the reference code is shown
      expect(run.stdout).toContain("The tutor's stage 5, for comparison");
      expect(run.stdout).toContain('src/stage/stages/05-remember.ts');
    });
  });

  it('the walkthrough ends each lesson with "Your turn": the expectations, the exercise and check', async () => {
    const run = await runCli(['lesson', '5', '--yes', '--port', '0']);
    expect(run.code).toBe(0);
    const turn = run.stdout.slice(run.stdout.indexOf('Your turn'));
    expect(turn).toContain('a browser that sends the cookie back is greeted by its name');
    expect(turn).toContain('check 5 asks of your server');
    // every command stands alone on its own line, ready to copy
    expect(turn).toMatch(/^ {2}npx session-tutor exercise 5$/m);
    const first = await runCli(['lesson', '1', '--yes', '--port', '0']);
    const firstTurn = first.stdout.slice(first.stdout.indexOf('Your turn'));
    expect(firstTurn).toMatch(/^ {2}npx session-tutor exercise 1$/m);
    expect(firstTurn).toMatch(/^ {2}npx session-tutor exercise 1 --url URL$/m);
  });

  it("refuses, with exit 2, to pass the tutor's own stage off as the learner's server", async () => {
    // the false pass: the tutor's stage 2 holds the port, and check 2 would pass on it
    await withStage(2, async (stage) => {
      const run = await runCli(['check', '2', '--url', stage.probeUrl]);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain("This is session-tutor's own stage 2, not your server");
      expect(run.stdout).toContain('--tutor-stage');
      expect(run.stdout).not.toMatch(/expectations? of lesson 2 (pass|fail)/);
      const card = await runCli(['check', '--all', '--url', stage.probeUrl, '--json']);
      expect(card.code).toBe(2);
      expect(card.stderr).toContain("This is session-tutor's own stage 2, not your server");
      const anyway = await runCli(['check', '2', '--url', stage.probeUrl, '--tutor-stage']);
      expect(anyway.code).toBe(0);
      expect(anyway.stdout).toContain('The one expectation of lesson 2 passes.');
    });
  });

  it('exits 1 with the failing expectation, what came back and a hint', async () => {
    await withStage(4, async (stage) => {
      const run = await runCli(['check', '5', '--url', stage.probeUrl, '--tutor-stage']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✘ a browser that sends the cookie back is greeted by its name');
      expect(run.stdout).toContain('hint: In GET /, read the name from the session');
      expect(run.stdout).toMatch(/\d of 4 expectations of lesson 5 pass/);
    });
  });

  it('--json prints one document with verdicts and hops', async () => {
    await withStage(4, async (stage) => {
      const run = await runCli(['check', '4', '--url', stage.probeUrl, '--json', '--tutor-stage']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ lesson: 4, passed: true });
      // the browser opens the form first, then submits it
      expect(report.results[0].hops[0]).toMatchObject({ method: 'GET', status: 200 });
      expect(report.results[0].hops[1]).toMatchObject({ method: 'POST', status: 302 });
    });
  });

  it('fails within seconds, with a clear message, when nothing is listening', async () => {
    const fixture = await startFixture('correct');
    const { url } = fixture;
    await fixture.close();
    const started = Date.now();
    const run = await runCli(['check', '5', '--url', url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Nothing is listening at ${url}/: is your server running?`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails within seconds, with a clear message, when the server never answers', async () => {
    const silent = await startSilent();
    try {
      const started = Date.now();
      const run = await runCli(['check', '5', '--url', silent.url]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/did not answer within \d+ s/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  });

  it('--watch runs again when a file in the current folder changes', async () => {
    await withStage(5, async (stage) => {
      const folder = freshHome();
      const child = spawnCli(
        ['check', '5', '--url', stage.probeUrl, '--watch', '--tutor-stage'],
        {},
        folder,
      );
      try {
        await waitForOutput(child, /All 4 expectations of lesson 5 pass/);
        writeFileSync(join(folder, 'server.js'), '// edited\n');
        await waitForOutput(child, /All 4 expectations of lesson 5 pass/);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'close');
      }
    });
  });

  it('--watch, on a failure, says that saving a file checks again', async () => {
    await withStage(5, async (stage) => {
      const child = spawnCli(
        ['check', '6', '--url', stage.probeUrl, '--watch', '--tutor-stage'],
        {},
        freshHome(),
      );
      try {
        await waitForOutput(
          child,
          // wrapped at words to the terminal
          /1\s+of\s+2\s+expectations\s+of\s+lesson\s+6\s+pass\.\s+Read\s+the\s+hints\s+above\s+and\s+change\s+your\s+server:\s+saving\s+a\s+file\s+checks\s+again\./,
        );
      } finally {
        child.kill('SIGTERM');
        await once(child, 'close');
      }
    });
  });

  it('--watch waits for a server that is down, then checks it once it answers', async () => {
    const probe = await startFixture('correct');
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const child = spawnCli(
      ['check', '5', '--url', probe.url, '--watch', '--tutor-stage'],
      {},
      freshHome(),
    );
    try {
      await waitForOutput(child, /Waiting for your server/);
      await withStage(5, () => waitForOutput(child, /All 4 expectations of lesson 5 pass/), {
        port,
      });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  });

  it('exits 2 with one clear message for a usage error', async () => {
    const badUrl = await runCli(['check', '5', '--url', 'localhost:3000x']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('is not');
    const badLesson = await runCli(['check', '99']);
    expect(badLesson.code).toBe(2);
    expect(badLesson.stderr).toContain('There is no lesson 99');
  });
});
