// Cold start: whole processes, each compared with `node -e 0` timed in the same rounds.
import { cli, median, ms, ratio, timeProcess, tutorEnv } from './lib.js';

const node = process.execPath;

/** A command line for `script`, which runs it in a pseudo-terminal through /bin/sh. */
const shellLine = (args) => args.map((arg) => `'${arg}'`).join(' ');

/** Runs a command in a pseudo-terminal (util-linux `script`), so the tutor sees a real terminal. */
function inTerminal(args, options = {}) {
  return timeProcess('script', ['-qefc', shellLine(args), '/dev/null'], {
    ...options,
    env: { ...(options.env ?? process.env), SHELL: '/bin/sh' },
  });
}

const cases = [
  {
    name: '`session-tutor --version`',
    target: 1.3,
    baseline: 'plain',
    run: () => timeProcess(node, [cli, '--version'], { env: tutorEnv() }),
  },
  {
    name: '`session-tutor list`',
    target: 1.5,
    baseline: 'plain',
    run: () => timeProcess(node, [cli, 'list'], { env: tutorEnv() }),
  },
  {
    // The first page is on screen when the tutor asks for a key: stage 1 is listening, the header,
    // the page and the key line are drawn. Then `q` ends the run the way a learner would.
    name: '`session-tutor start`, first page in a terminal',
    target: 3,
    baseline: 'terminal',
    run: () =>
      inTerminal([node, cli, 'start', '--port', '0'], {
        env: tutorEnv(),
        keepStdin: true,
        until: (output) => output.includes('[Enter] next'),
        stop: (child) => child.stdin.write('q'),
      }),
  },
];

const baselines = {
  plain: { name: '`node -e 0`', run: () => timeProcess(node, ['-e', '0']) },
  terminal: {
    name: '`node -e 0` in the same terminal wrapper',
    run: () => inTerminal([node, '-e', '0']),
  },
};

export async function coldStart({ rounds }) {
  const times = new Map([...cases, ...Object.values(baselines)].map((c) => [c, []]));
  // one unrecorded round first, so every round reads files from the page cache
  for (let round = -1; round < rounds; round++) {
    for (const c of [...Object.values(baselines), ...cases]) {
      const { ms: elapsed } = await c.run();
      if (round >= 0) times.get(c).push(elapsed);
    }
  }
  const rows = cases.map((c) => {
    const base = baselines[c.baseline];
    const mine = median(times.get(c));
    const theirs = median(times.get(base));
    const r = mine / theirs;
    return {
      cells: [
        c.name,
        ms(mine),
        `${ms(theirs)} (${base.name})`,
        ratio(r),
        `≤ ${c.target}×`,
        r <= c.target ? 'met' : 'MISSED',
      ],
      ratio: r,
      met: r <= c.target,
    };
  });
  return {
    title: 'Cold start',
    header: ['command', 'median', 'baseline median', 'ratio', 'target', ''],
    rows: rows.map((r) => r.cells),
    ratios: rows.map((r) => r.ratio),
    notes: [
      `Medians of ${rounds} rounds; each round runs every command and its baseline one after the other, so load changes hit both.`,
      'Wall time from spawn to exit. The first page is timed from spawn until the key line `[Enter] next` appears in a pseudo-terminal (util-linux `script`), so it includes starting stage 1 and drawing the page; its baseline is `node -e 0` through the same wrapper.',
    ],
  };
}
