// Stage switch: stop one stage server, start the next, run its demo. Each run is a fresh process
// (stage-switch-child.js), so first visits pay for loading modules as a learner's run does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness, median, ms, root, timeProcess } from './lib.js';

const target = 35;

export async function stageSwitch({ runs, warm }) {
  const all = [];
  for (let run = 0; run < runs; run++) {
    const { output } = await timeProcess(
      process.execPath,
      [join(harness, 'stage-switch-child.js'), String(warm)],
      { timeoutMs: 120_000 },
    );
    all.push(...JSON.parse(output));
  }
  const failed = all.filter((s) => s.failed > 0);
  const total = (s) => s.switchMs + s.demoMs;
  const row = (name, switches, withTarget = true) => {
    const m = median(switches.map(total));
    return [
      name,
      String(switches.length),
      ms(median(switches.map((s) => s.switchMs))),
      ms(median(switches.map((s) => s.demoMs))),
      ms(m),
      ms(Math.max(...switches.map(total))),
      withTarget ? `≤ ${target} ms` : '',
      withTarget ? (m <= target ? 'met' : 'MISSED') : '',
    ];
  };
  const firstLesson = Math.min(...all.map((s) => s.lesson));
  const waits = new Map();
  for (const s of all) if (s.waitMs > 0) waits.set(`${s.lesson} (${s.title})`, s.waitMs);
  const waitNote =
    waits.size === 0
      ? 'no demo waits yet.'
      : `${[...waits].map(([lesson, w]) => `lesson ${lesson} ${ms(w)}`).join(', ')}.`;
  const firstVisits = all.filter((s) => s.first && s.lesson !== firstLesson);
  const lessons = [...new Set(firstVisits.map((s) => s.lesson))];
  const slow = lessons
    .map((lesson) => {
      const visits = firstVisits.filter((s) => s.lesson === lesson);
      const demo = readFileSync(join(root, 'src/course', `${visits[0].name}.ts`), 'utf8');
      return {
        lesson,
        title: visits[0].title,
        ms: median(visits.map(total)),
        spawns: demo.includes('startStageProcess('),
      };
    })
    .filter((s) => s.ms > target * 4);
  return {
    title: 'Stage switch',
    header: ['switch', 'samples', 'stop + start', 'demo', 'median total', 'slowest', 'target', ''],
    rows: [
      row('to the next lesson, first visit in a run', firstVisits),
      row(
        'to any lesson again (modules loaded)',
        all.filter((s) => !s.first),
      ),
      row(
        `lesson ${firstLesson}'s demo, first of a run (loads the HTTP client)`,
        all.filter((s) => s.first && s.lesson === firstLesson),
        false,
      ),
    ],
    median: median(firstVisits.map(total)),
    notes: [
      `${runs} fresh processes, each walking every stage once (first visits) and then ${warm} more times. Demo times leave out deliberate waits (\`ctx.wait\`): ${waitNote}`,
      failed.length === 0
        ? 'Every demo behaved as its lesson says.'
        : `Not every demo behaved as its lesson says (timed all the same): ${failed.map((s) => `lesson ${s.lesson} (${s.failed} verdict${s.failed > 1 ? 's' : ''})`).join(', ')}.`,
      `"Stop + start" includes loading the stage's app (\`stage.ready()\`). The first visit to lesson ${firstLesson} also starts its stage as the first page, so it is reported apart; its demo loads undici and tough-cookie.`,
      ...(median(firstVisits.map(total)) <= target
        ? []
        : [
            `First visits missed the target: besides the lessons below, a first visit compiles the stage's and the demo's modules, which a busy machine slows most (compare the second row, where they are loaded). Loading every lesson's modules up front was tried and hardly moved it, nor did idle time before each switch (as a learner reading gives): most of a first visit is code running for the first time (parse5, Express, undici) and garbage collection. Two such costs, each about 10 ms when timed alone: the first cookie stored compiles tough-cookie's IPv6 pattern (canonicalDomain), and the first form posted loads every iconv-lite encoding (body-parser's decoder).`,
          ]),
      ...slow.map(
        (s) =>
          `Lesson ${s.lesson} (${s.title}) takes ${ms(s.ms)} on a first visit, median${
            s.spawns
              ? ': its demo starts stage servers in processes of their own (dist/stage-child.js, to restart a server for real, or run two), each a cold start of Node and Express.'
              : '.'
          }`,
      ),
    ],
  };
}
