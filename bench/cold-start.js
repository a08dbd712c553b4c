// Cold start: whole processes, each compared with `node -e 0` timed in the same rounds.
import { cli, median, ms, ratio, timeProcess, tutorEnv } from './lib.js';

const node = process.execPath;

/** A command line for a shell, every word quoted. */
const shellLine = (args) => args.map((arg) => `'${arg}'`).join(' ');

/**
 * Runs a command directly, or in a pseudo-terminal (util-linux `script`) when `terminal` is set.
 * With `cpu`, bash runs it and reports its user + system CPU time (bash's `times`, in ms).
 */
async function run(args, { terminal = false, cpu = false, ...options } = {}) {
  const line = cpu ? `${shellLine(args)}; times` : shellLine(args);
  const env = { ...(options.env ?? process.env), SHELL: cpu ? '/bin/bash' : '/bin/sh' };
  const result = terminal
    ? await timeProcess('script', ['-qefc', line, '/dev/null'], { ...options, env })
    : cpu
      ? await timeProcess('/bin/bash', ['-c', line], { ...options, env })
      : await timeProcess(args[0], args.slice(1), { ...options, env });
  if (!cpu) return result.ms;
  // the last line of `times` is the children's: user and system time
  const times = [...result.output.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
  if (!times) throw new Error(`no CPU times in:\n${result.output}`);
  return (
    (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000
  );
}

const cases = [
  {
    name: '`session-tutor --version`',
    target: 1.1,
    missed:
      '`--version` is answered by the bin, dist/session-tutor.cjs, a CommonJS file of a few lines that reads package.json and loads neither the CLI nor the ES module loader; what is left is Node starting up, which weighs more when the machine is busy.',
    baseline: 'plain',
    run: (how) => run([node, cli, '--version'], { ...how, env: tutorEnv() }),
  },
  {
    name: '`session-tutor list`',
    target: 1.25,
    missed:
      "`list` loads one file, the bundle's entry (commander, chalk and the lesson list), without building commander's program, reads the progress file, and reads the reading times counted at build (dist/reading-words.json). What is left is compiling the entry and the ES module loader starting up; a CommonJS path for `list` in the bin, apart from the ES module entry, is the next step.",
    baseline: 'plain',
    run: (how) => run([node, cli, 'list'], { ...how, env: tutorEnv() }),
  },
  {
    // The first page is on screen when the tutor asks for a key: stage 1 is listening, the header,
    // the page and the key line are drawn. Then `q` ends the run the way a learner would.
    name: '`session-tutor start`, first page in a terminal',
    target: 2,
    missed:
      "The first page loads the entry, the walkthrough's chunk (wrap-ansi, and the page as marked read it at build, dist/first-pages.json) and the server's listening code, and takes its port; marked, express-session, Express and the stage app load after the page is drawn, and no Intl object (ICU) is made before it. Left on the path: compiling the entry and Node's own http and net modules, and Node checking the address [::1] against its IPv6 pattern before listening there.",
    // CPU time is counted to the end of the process, and after the page the tutor goes on loading
    cpu: false,
    baseline: 'terminal',
    run: (how) =>
      run([node, cli, 'start', '--port', '0'], {
        ...how,
        terminal: true,
        env: tutorEnv(),
        keepStdin: true,
        until: (output) => output.includes('[Enter] next'),
        stop: (child) => child.stdin.write('q'),
      }),
  },
];

const baselines = {
  plain: { name: '`node -e 0`', run: (how) => run([node, '-e', '0'], how) },
  terminal: {
    name: '`node -e 0` in the same terminal wrapper',
    cpu: false,
    run: (how) => run([node, '-e', '0'], { ...how, terminal: true }),
  },
};

export async function coldStart({ rounds }) {
  const all = [...Object.values(baselines), ...cases];
  const wall = new Map(all.map((c) => [c, []]));
  const cpu = new Map(all.map((c) => [c, []]));
  // one unrecorded round first, so every round reads files from the page cache
  for (let round = -1; round < rounds; round++) {
    for (const c of all) {
      const elapsed = await c.run({});
      const used = c.cpu === false ? undefined : await c.run({ cpu: true });
      if (round >= 0) {
        wall.get(c).push(elapsed);
        cpu.get(c).push(used);
      }
    }
  }
  const rows = cases.map((c) => {
    const base = baselines[c.baseline];
    const mine = median(wall.get(c));
    const theirs = median(wall.get(base));
    const r = mine / theirs;
    const cpuRatio = c.cpu === false ? 0 : median(cpu.get(c)) / median(cpu.get(base));
    const cpuCell =
      c.cpu === false
        ? 'not measured'
        : `${ms(median(cpu.get(c)))} / ${ms(median(cpu.get(base)))} = ${ratio(cpuRatio)}`;
    return {
      cells: [
        c.name,
        ms(mine),
        `${ms(theirs)} (${base.name})`,
        ratio(r),
        `≤ ${c.target}×`,
        r <= c.target ? 'met' : 'MISSED',
        cpuCell,
      ],
      ratio: r,
      missed:
        r > c.target
          ? `${c.name} missed its target: ${c.missed}`
          : cpuRatio > c.target
            ? `${c.name} met its target in wall time, but in CPU time it is over (${ratio(cpuRatio)}): ${c.missed}`
            : undefined,
    };
  });
  return {
    title: 'Cold start',
    header: ['command', 'median', 'baseline median', 'ratio', 'target', '', 'CPU time, same ratio'],
    rows: rows.map((r) => r.cells),
    ratios: rows.map((r) => r.ratio),
    notes: [
      `Medians of ${rounds} rounds; each round runs every command and its baseline one after the other, so a change of load hits both. The ratio (wall time from spawn to exit) is the measure the targets are set for.`,
      'The first page is timed from spawn until the key line `[Enter] next` appears in a pseudo-terminal (util-linux `script`): stage 1 is listening and the header and the page are drawn. Its baseline is `node -e 0` through the same wrapper.',
      'What starts fast and why: the CLI is one bundle (scripts/build.js) whose bin answers `--version` from package.json alone and whose entry file alone answers `--help` and `list`; other commands load their chunks, and no command loads express, undici or tough-cookie unless it needs them; a lesson takes its port first and loads Express, express-session and its stage app while the learner reads the first page (the key line is drawn before), which is drawn from what marked read of it at build.',
      ...rows.filter((r) => r.missed).map((r) => r.missed),
      "CPU time (user + system, from bash's `times`, in separate runs of each round) hardly depends on how busy the other cores are, so it is the steadier figure on a shared machine; it leaves out the work of Node's own background threads that overlaps the main one. It is not given for the first page, because it can only be read at exit and the tutor goes on working after the page is drawn (it loads Express in the background while the learner reads).",
    ],
  };
}
