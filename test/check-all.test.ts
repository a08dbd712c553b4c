import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardSummary, type ReportCard, runReportCard } from '../src/course/check.js';
import { type PythonFixture, startPythonFixture } from './fixtures/python.js';
import { startFixture } from './fixtures/servers.js';
import { freshHome, runCli, spawnCli, waitForOutput, withStage } from './helpers.js';

/** The card in one string, lesson by lesson: P passed, F failed, - not applicable. */
const marks = (card: ReportCard) =>
  card.lines.map((l) => (l.status === 'passed' ? 'P' : l.status === 'failed' ? 'F' : '-')).join('');

// Lessons 9 and 10 cannot be seen over HTTP: not applicable on every server. Lesson 2 looks the
// same on the wire as lesson 1, so a stage-1 server already passes it: nothing is stored, no cookie.
const stageCards: [number, string, string][] = [
  [1, 'PPFFFFFF--FF', 'lessons 1–2 pass; lesson 3 is the next to do'],
  [2, 'PPFFFFFF--FF', 'lessons 1–2 pass; lesson 3 is the next to do'],
  [3, 'PPPFFFFF--FF', 'lessons 1–3 pass; lesson 4 is the next to do'],
  [4, 'PPPPFFFF--FF', 'lessons 1–4 pass; lesson 5 is the next to do'],
  [5, 'PPPPPFFF--FF', 'lessons 1–5 pass; lesson 6 is the next to do'],
  [6, 'PPPPPPFF--FF', 'lessons 1–6 pass; lesson 7 is the next to do'],
  [7, 'PPPPPPPF--FF', 'lessons 1–7 pass; lesson 8 is the next to do'],
  [8, 'PPPPPPPP--FF', 'lessons 1–8 pass; lesson 11 is the next to do'],
  [9, 'PPPPPPPP--FF', 'lessons 1–8 pass; lesson 11 is the next to do'],
  [10, 'PPPPPPPP--FF', 'lessons 1–8 pass; lesson 11 is the next to do'],
  [11, 'PPPPPPPP--PF', 'lessons 1–11 pass; lesson 12 is the next to do'],
  [12, 'PPPPPPPP--PP', 'all 10 lessons that can be checked over HTTP pass'],
];

describe('check --all on every stage server', () => {
  it.each(stageCards)('stage %i: %s, "%s"', async (stage, expected, summary) => {
    const card = await withStage(stage, (running) => runReportCard(running.probeUrl));
    expect(card.unreachable).toBeUndefined();
    expect(marks(card)).toBe(expected);
    expect(cardSummary(card)).toBe(summary);
  });
});

// Learners' servers in another language: Python's standard library, no framework.
const pythonCards: [PythonFixture, string, string, Record<number, string>][] = [
  [
    'python_sessions',
    'PPPPPFPP--PF',
    'lessons 1–5 pass; lesson 6 is the next to do (lessons 7, 8 and 11 pass too)',
    {
      6: 'GET /embedded frames the app from another site with a partitioned cookie',
      12: 'a forged POST without the token changes nothing',
    },
  ],
  [
    'python_signed_cookie',
    'PPPFPFFF--PF',
    'lessons 1–3 pass; lesson 4 is the next to do (lessons 5 and 11 pass too)',
    {
      4: 'POST /setName sets a cookie that carries a session ID, not the name',
      6: 'GET /embedded frames the app from another site with a partitioned cookie',
      7: 'the session cookie has an expiry date, so the session has a lifetime',
      8: 'after logout, a copy of the old cookie is forgotten too',
      12: 'a forged POST without the token changes nothing',
    },
  ],
];

describe('check --all on servers written in Python', () => {
  it.each(pythonCards)('%s: %s', async (name, expected, summary, firstFailures) => {
    const fixture = await startPythonFixture(name);
    try {
      const run = await runCli(['check', '--all', '--url', fixture.url, '--json']);
      expect(run.code).toBe(1);
      const card = JSON.parse(run.stdout) as {
        lesson: number;
        status: string;
        passed: number;
        failed: number;
        expectations: { title: string; passed: boolean }[];
      }[];
      expect(card.map((l) => l.lesson)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(
        card.map((l) => (l.status === 'passed' ? 'P' : l.status === 'failed' ? 'F' : '-')).join(''),
      ).toBe(expected);
      const failures = Object.fromEntries(
        card
          .filter((l) => l.status === 'failed')
          .map((l) => [l.lesson, l.expectations.find((e) => !e.passed)?.title]),
      );
      expect(failures).toEqual(firstFailures);
      for (const line of card) expect(line.passed + line.failed).toBe(line.expectations.length);

      const text = await runCli(['check', '--all', '--url', fixture.url]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(summary);
      expect(text.stdout).toContain(
        '–  9 Where the data lives: not applicable, its idea cannot be seen over HTTP',
      );
    } finally {
      await fixture.close();
    }
  });
});

describe('check --all on the command line', () => {
  it('exits 0 on the last stage, one line per lesson, in well under 10 s', async () => {
    await withStage(12, async (stage) => {
      const started = Date.now();
      const run = await runCli(['check', '--all', '--url', stage.probeUrl, '--tutor-stage']);
      const took = Date.now() - started;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('✔  1 The goldfish: passed (1 of 1)');
      expect(run.stdout).toContain('✔ 12 Same site is not same origin: passed (3 of 3)');
      expect(run.stdout).toContain('all 10 lessons that can be checked over HTTP pass');
      expect(took).toBeLessThan(10_000);
    });
  });

  it('exits 1 on stage 11 and names the first failing expectation of lesson 12', async () => {
    await withStage(11, async (stage) => {
      const run = await runCli(['check', '--all', '--url', stage.probeUrl, '--tutor-stage']);
      expect(run.code).toBe(1);
      // each line wraps at words to the terminal: read them as one
      const flat = run.stdout.replace(/\s+/g, ' ');
      expect(flat).toContain(
        '✘ 12 Same site is not same origin: failed: a forged POST without the token changes nothing (renamed Mallory, expected name unchanged)',
      );
      expect(flat).toContain('lessons 1–11 pass; lesson 12 is the next to do');
    });
  });

  it('--json prints one entry per lesson with counts and expectations', async () => {
    await withStage(5, async (stage) => {
      const run = await runCli([
        'check',
        '--all',
        '--url',
        stage.probeUrl,
        '--json',
        '--tutor-stage',
      ]);
      expect(run.code).toBe(1);
      const card = JSON.parse(run.stdout);
      expect(card).toHaveLength(12);
      expect(card[4]).toMatchObject({ lesson: 5, status: 'passed', passed: 4, failed: 0 });
      expect(card[5]).toMatchObject({ lesson: 6, status: 'failed', passed: 1, failed: 1 });
      expect(card[8]).toEqual({
        lesson: 9,
        title: 'Where the data lives',
        status: 'not applicable',
        passed: 0,
        failed: 0,
        expectations: [],
      });
      expect(card[4].expectations[0]).toMatchObject({
        title: 'a browser that sends the cookie back is greeted by its name',
        passed: true,
        verdict: { outcome: 'remembered', expected: 'remembered' },
      });
      // every request and response, as --help says: the form, its submission, the return
      expect(
        card[4].expectations[0].hops.map((h: { method: string; url: string }) => h.method),
      ).toEqual(['GET', 'POST', 'GET', 'GET']);
    });
  });

  it('stops at once with a clear message when nothing is listening', async () => {
    const fixture = await startFixture('correct');
    const { url } = fixture;
    await fixture.close();
    const run = await runCli(['check', '--all', '--url', url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Nothing is listening at ${url}/: is your server running?`);
    expect(run.stdout).not.toContain('The goldfish');
    const json = await runCli(['check', '--all', '--url', url, '--json']);
    expect(json.code).toBe(1);
    // the documented shape, one entry for the lesson it stopped at
    expect(JSON.parse(json.stdout)).toEqual([
      {
        lesson: 1,
        title: 'The goldfish',
        status: 'unreachable',
        passed: 0,
        failed: 0,
        expectations: [],
        unreachable: `Nothing is listening at ${url}/: is your server running?`,
      },
    ]);
  });

  it('--watch runs the card again when a file in the current folder changes', async () => {
    await withStage(12, async (stage) => {
      const folder = freshHome();
      const child = spawnCli(
        ['check', '--all', '--url', stage.probeUrl, '--watch', '--tutor-stage'],
        {},
        folder,
      );
      try {
        await waitForOutput(child, /all 10 lessons that can be checked over HTTP pass/);
        writeFileSync(join(folder, 'server.py'), '# edited\n');
        await waitForOutput(child, /all 10 lessons that can be checked over HTTP pass/);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'close');
      }
    });
  });

  it('asks for a lesson number or --all, not both and not neither (exit 2)', async () => {
    const neither = await runCli(['check']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('check --all');
    const both = await runCli(['check', '5', '--all']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
