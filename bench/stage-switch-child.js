// Runs in a fresh process: walks every lesson's stage and demo once as a learner's run would
// (modules load on first use), then `warm` more times, and prints the timings as JSON.
// Bundled from source by buildHarness() in lib.js, which runs it from .bench-build/.
import { listLessons } from '../src/course/catalog.js';
import { runDemo } from '../src/course/run.js';
import { StageHost } from '../src/server/host.js';
import { chooseSecret } from '../src/server/tutor-secret.js';

const warm = Number(process.argv[2] ?? 2);
const host = new StageHost({
  port: 0,
  portAskedFor: true,
  host: '127.0.0.1',
  secret: chooseSecret().secret,
});
const lessons = listLessons();
const switches = [];

try {
  for (let pass = 0; pass <= warm; pass++) {
    for (const lesson of lessons) {
      let waitMs = 0;
      let failed = 0;
      const started = performance.now();
      const { stage } = await host.switchTo(lesson);
      await stage.ready();
      const switched = performance.now();
      const verdicts = await runDemo(lesson, stage, (step) => {
        if (step.kind === 'wait') waitMs += step.ms;
      });
      const done = performance.now();
      failed += verdicts.filter((v) => v.outcome !== v.expected).length;
      switches.push({
        lesson: lesson.number,
        title: lesson.title,
        name: lesson.name,
        first: pass === 0,
        switchMs: switched - started,
        demoMs: done - switched - waitMs,
        waitMs,
        failed,
      });
    }
  }
} finally {
  await host.stop();
}
process.stdout.write(JSON.stringify(switches));
