// Install footprint and cold `npx`, from the tarball `npm pack` makes of this build: what a learner
// would download from the registry.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ms, ratio, root, timeProcess } from './lib.js';

const target = { packages: 1, mb: 3, npx: 0.35 };
// From issue 7, installed the same way (production dependencies, as their lockfiles resolve them).
const peers = [
  { name: 'learnyounode 4.2.2', packages: 165, mb: 17 },
  { name: 'expressworks 3.4.3', packages: 214, mb: 35 },
];
const learnyounode = 'learnyounode@4.2.2';

const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

// npm, quiet and without its update check, so that only the install is timed
const npmEnv = {
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

/** Times `npx --yes -p spec bin --version` with an empty npm cache, so every package is fetched. */
async function coldNpx(work, spec, bin) {
  const cache = mkdtempSync(join(work, 'cache-'));
  try {
    const { ms: elapsed, output } = await timeProcess(
      'npx',
      ['--yes', '--cache', cache, '--package', spec, bin, '--version'],
      { env: npmEnv, timeoutMs: 180_000 },
    );
    if (!/\d+\.\d+\.\d+/.test(output)) throw new Error(`${bin} --version printed: ${output}`);
    return elapsed;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

export async function footprint({ npxRounds }) {
  const work = mkdtempSync(join(tmpdir(), 'session-tutor-footprint-'));
  try {
    const [packed] = JSON.parse(
      run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root),
    );
    const tarball = join(work, packed.filename);
    // as `npm install session-tutor` would, into an empty folder: no network, an empty cache
    const app = join(work, 'app');
    mkdirSync(app);
    run(
      'npm',
      [
        'install',
        '--offline',
        '--cache',
        join(work, 'offline-cache'),
        '--no-audit',
        '--no-fund',
        tarball,
      ],
      app,
    );
    const installed = run('npm', ['ls', '--all', '--parseable'], app).trim().split('\n').slice(1);
    const bytes = Number(run('du', ['-sb', join(app, 'node_modules')]).split('\t')[0]);
    const mb = bytes / 1e6;

    const tutorTimes = [];
    const peerTimes = [];
    let unreachable;
    for (let round = 0; round < npxRounds && !unreachable; round++) {
      tutorTimes.push(await coldNpx(work, tarball, 'session-tutor'));
      try {
        peerTimes.push(await coldNpx(work, learnyounode, 'learnyounode'));
      } catch (err) {
        unreachable = err.message.split('\n')[0];
      }
    }
    const npxRatio = unreachable ? undefined : median(tutorTimes) / median(peerTimes);
    const met = (ok) => (ok ? 'met' : 'MISSED');
    return {
      title: 'Install footprint and cold npx',
      header: ['measure', 'session-tutor', 'compared with', 'target', ''],
      rows: [
        [
          'packages added by installing the tarball',
          String(installed.length),
          peers.map((p) => `${p.name}: ${p.packages}`).join(', '),
          `${target.packages}`,
          met(installed.length <= target.packages),
        ],
        [
          'unpacked size of the installed package',
          `${mb.toFixed(2)} MB`,
          peers.map((p) => `${p.name}: ${p.mb} MB`).join(', '),
          `≤ ${target.mb} MB`,
          met(mb <= target.mb),
        ],
        unreachable
          ? [
              'cold `npx … --version`',
              ms(median(tutorTimes)),
              'the registry could not be reached',
              '',
              '',
            ]
          : [
              'cold `npx … --version`, empty cache',
              `${ms(median(tutorTimes))} (${ratio(npxRatio)})`,
              `${learnyounode}: ${ms(median(peerTimes))}`,
              `≤ ${target.npx}×`,
              met(npxRatio <= target.npx),
            ],
      ],
      packages: installed.length,
      mb,
      npxRatio,
      notes: [
        `The tarball is \`npm pack\` of this build: ${(packed.size / 1e3).toFixed(0)} kB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${packed.entryCount} files. It is installed with \`npm install --offline\` and an empty cache into an empty folder; packages are those \`npm ls --all\` lists there, the size is \`du -sb\` of its node_modules (MB = 10^6 bytes).`,
        `The learnyounode and expressworks install figures are those given in issue 7.`,
        unreachable
          ? `Cold npx: the npm registry could not be reached (${unreachable}), so ${learnyounode} was not timed.`
          : `Cold npx: medians of ${tutorTimes.length} rounds, each \`npx --yes --cache <empty folder> --package <spec> <bin> --version\` for session-tutor (from the tarball: nothing to fetch) and for ${learnyounode} (from the npm registry), one after the other.`,
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
