// The unattended course: `start --yes` over every lesson, as a whole process through a pipe.
import { join } from 'node:path';
import { cli, harness, median, ms, timeProcess, tutorEnv } from './lib.js';

/** Splits one run's output at each lesson header: when the header arrived, and the waits announced. */
function perLesson(output, marks, totalMs, waitPattern) {
  const lessons = [...output.matchAll(/^Lesson (\d+) of \d+ · (.*?) {3}/gm)].map((match) => ({
    number: Number(match[1]),
    title: match[2],
    at: match.index,
    // the header is in the first chunk whose end lies past it
    startMs: marks.find((mark) => mark.length > match.index).ms,
  }));
  return lessons.map((lesson, i) => {
    const next = lessons[i + 1];
    const text = output.slice(lesson.at, next?.at ?? output.length);
    const waitMs = [...text.matchAll(waitPattern)].reduce((sum, m) => sum + Number(m[1]) * 1000, 0);
    return { ...lesson, ms: (next?.startMs ?? totalMs) - lesson.startMs, waitMs };
  });
}

export async function course({ runs }) {
  // from the harness, built by run.js before any measure: how the walkthrough words a deliberate wait
  const { waitPattern } = await import(join(harness, 'render.js'));
  const results = [];
  const failures = [];
  for (let run = 0; run < runs; run++) {
    const marks = [];
    let length = 0;
    const { ms: totalMs, output } = await timeProcess(
      process.execPath,
      [cli, 'start', '--yes', '--port', '0'],
      {
        env: tutorEnv(),
        timeoutMs: 180_000,
        // 1: a demo did not behave as its lesson says; the run is timed all the same, and reported
        exitCodes: [0, 1],
        onChunk: (chunk, elapsed) => {
          length += chunk.length;
          marks.push({ length, ms: elapsed });
        },
      },
    );
    const lessons = perLesson(output, marks, totalMs, waitPattern);
    for (const line of output.matchAll(/^✘ +(\d+ .*)$/gm))
      failures.push(`run ${run + 1}: ${line[1]}`);
    const waitMs = lessons.reduce((sum, l) => sum + l.waitMs, 0);
    results.push({ totalMs, waitMs, lessons });
  }
  const lessonRows = results[0].lessons.map((lesson, i) => [
    `lesson ${lesson.number}: ${lesson.title}`,
    ms(median(results.map((r) => r.lessons[i].ms))),
    lesson.waitMs > 0 ? ms(lesson.waitMs) : '',
    ms(median(results.map((r) => r.lessons[i].ms - r.lessons[i].waitMs))),
  ]);
  const total = median(results.map((r) => r.totalMs));
  const waits = median(results.map((r) => r.waitMs));
  const net = median(results.map((r) => r.totalMs - r.waitMs));
  const waiting = results[0].lessons.filter((l) => l.waitMs > 0);
  return {
    title: 'The unattended course',
    header: ['`session-tutor start --yes --port 0`', 'median', 'deliberate waits', 'without waits'],
    rows: [
      [
        'until the first lesson header',
        ms(median(results.map((r) => r.lessons[0].startMs))),
        '',
        '',
      ],
      ...lessonRows,
      ['**whole course**', ms(total), ms(waits), ms(net)],
    ],
    total,
    net,
    notes: [
      `Medians of ${runs} whole runs from spawn to exit, read through a pipe, each with a fresh progress file. A lesson runs from its header (printed once its stage is listening) to the next lesson's header.`,
      waiting.length === 0
        ? 'No lesson waits on purpose yet.'
        : `Lessons that wait on purpose, announced by their demo and subtracted: ${waiting
            .map((l) => `${l.number} (${l.title})`)
            .join(', ')}.`,
      ...(failures.length === 0
        ? ['Every demo behaved as its lesson says in every run.']
        : [`Not every demo behaved as its lesson says: ${failures.join('; ')}.`]),
    ],
  };
}
