// `npm run bench`: measures session-tutor on this machine, prints the tables and writes
// bench/RESULTS.md. Targets live here and in that report, never in the tests.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { coldStart } from './cold-start.js';
import { course } from './course.js';
import { footprint } from './footprint.js';
import { buildHarness, ratio, root, table } from './lib.js';
import { stageSwitch } from './stage-switch.js';
import { throughput } from './throughput.js';
import { watchProxy } from './watch-proxy.js';
import { words } from './words.js';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
const commit = () => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
};

const started = Date.now();
await buildHarness();
const loadBefore = load();
const sections = [];
async function measure(name, fn) {
  process.stderr.write(`measuring ${name}…\n`);
  const section = await fn();
  process.stdout.write(`\n## ${section.title}\n\n${table(section.header, section.rows)}\n`);
  if (section.byDependency) {
    process.stdout.write(`\n${table(section.byDependency.header, section.byDependency.rows)}\n`);
  }
  sections.push(section);
  return section;
}

const cold = await measure('cold start', () => coldStart({ rounds: 25 }));
const switching = await measure('stage switch', () => stageSwitch({ runs: 4, warm: 1 }));
const unattended = await measure('the unattended course', () => course({ runs: 3 }));
const onScreen = await measure('words on screen', () => words());
const server = await measure('demo server throughput', () =>
  throughput({ rounds: 3, duration: 5 }),
);
const watching = await measure('watch proxy', () =>
  watchProxy({ requests: 1000, rounds: 3, duration: 5 }),
);
const install = await measure('install footprint and cold npx', () => footprint({ npxRounds: 3 }));
const loadAfter = load();
const seconds = Math.round((Date.now() - started) / 1000);

const ms = (value) => `${Math.round(value)} ms`;
const headline = [
  ['packages added by installing the tarball', String(install.packages), '1'],
  ['unpacked size of the installed package', `${install.mb.toFixed(2)} MB`, '≤ 3 MB'],
  [
    'cold `npx --version` vs learnyounode 4.2.2 the same way',
    install.npxRatio === undefined ? 'registry not reached' : ratio(install.npxRatio),
    '≤ 0.35×',
  ],
  ['`--version` vs `node -e 0`', ratio(cold.ratios[0]), '≤ 1.10×'],
  ['`list` vs `node -e 0`', ratio(cold.ratios[1]), '≤ 1.25×'],
  ['first page of `start` vs `node -e 0`', ratio(cold.ratios[2]), '≤ 2.0×'],
  ['stage switch, median of first visits', ms(switching.median), '≤ 35 ms'],
  ['whole course unattended, without deliberate waits', ms(unattended.net), ''],
  [
    'words on screen, lessons 1–6 (`wc -w`, 100 columns)',
    onScreen.firstSix,
    `≤ ${onScreen.budgets.firstSix}`,
  ],
  ['words on screen, all lessons', onScreen.all, `≤ ${onScreen.budgets.all}`],
  ['stage 5 with a session, share of the `node:http` ceiling', ratio(server.ratios.session), ''],
  ['`watch`: added median latency', `${watching.added.toFixed(2)} ms`, '≤ 1 ms'],
  ['`watch`: throughput through the proxy, share of direct', ratio(watching.share), '≥ 0.50×'],
];

const report = [
  '# session-tutor benchmarks',
  '',
  'Written by `npm run bench` (bench/run.js); every figure below comes from that run. Re-run it to refresh this file.',
  '',
  `- Date: ${new Date(started).toISOString().replace(/\.\d+Z$/, 'Z')}, commit ${commit()}, took ${seconds} s`,
  `- Machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform} ${process.arch}`,
  `- Node ${process.version}`,
  `- Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. Other work on the machine slows the tutor and its baselines alike, which is why every figure is a ratio or a median measured in the same run.`,
  '',
  '## Headlines',
  '',
  table(['measure', 'result', 'target'], headline),
  ...sections.flatMap((s) => [
    '',
    `## ${s.title}`,
    '',
    table(s.header, s.rows),
    ...(s.byDependency ? ['', table(s.byDependency.header, s.byDependency.rows)] : []),
    '',
    ...s.notes.map((note) => `- ${note}`),
  ]),
  '',
].join('\n');

writeFileSync(join(root, 'bench/RESULTS.md'), report);
process.stdout.write(`\nWrote bench/RESULTS.md in ${seconds} s.\n`);
