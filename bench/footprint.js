// Install footprint of the production dependencies, as the lockfile installs them.
import { execFileSync } from 'node:child_process';
import { root } from './lib.js';

const peers = [
  { name: 'learnyounode 4.2.2', packages: 165, mb: 17 },
  { name: 'expressworks 3.4.3', packages: 214, mb: 35 },
];
const target = { packages: 100, mb: 15 };
// Added for lessons 7-11 and `--open` after the first figures (91 packages, 10.8 MB) were taken.
const later = ['open', 'cookie-session', 'connect-redis', 'redis'];

const run = (command, args) =>
  execFileSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** Apparent bytes of each package folder, leaving out the packages nested in it. */
function sizes(paths) {
  const lines = run('du', ['-sb', '--exclude=node_modules', ...paths])
    .trim()
    .split('\n');
  return new Map(
    lines.map((line) => {
      const [bytes, path] = line.split('\t');
      return [path, Number(bytes)];
    }),
  );
}

export function footprint() {
  const tree = JSON.parse(run('npm', ['ls', '--omit=dev', '--all', '--json', '--long']));
  // npm ls prints a package's dependencies once and marks its other places "deduped", so first
  // gather every edge of the tree, then follow them from each direct dependency
  const edges = new Map();
  // A peer dependency is the host's to install (connect-redis names redis and express-session), so
  // it is counted for the dependency that installs it, not for the package that expects it.
  const gather = (node) => {
    const peers = node.peerDependencies ?? {};
    const children = Object.entries(node.dependencies ?? {})
      .filter(([name, child]) => child.path && !(name in peers))
      .map(([, child]) => child);
    if (!edges.has(node.path)) edges.set(node.path, new Set());
    for (const child of children) {
      edges.get(node.path).add(child.path);
      gather(child);
    }
  };
  gather(tree);
  const reach = (path, into = new Set()) => {
    if (!into.has(path)) {
      into.add(path);
      for (const next of edges.get(path) ?? []) reach(next, into);
    }
    return into;
  };
  const direct = Object.entries(tree.dependencies ?? {}).map(([name, node]) => ({
    name,
    version: node.version,
    paths: reach(node.path),
  }));
  const all = new Set(direct.flatMap((d) => [...d.paths]));
  const bytes = sizes([...all]);
  const mb = (paths) => [...paths].reduce((sum, p) => sum + bytes.get(p), 0) / 1e6;
  const totalMb = mb(all);
  const onDiskMb =
    Number(
      run('du', ['-sk', '-c', ...all])
        .trim()
        .split('\n')
        .at(-1)
        .split('\t')[0],
    ) / 1024;

  // what removing a dependency would remove: the packages no other dependency reaches
  const owned = (group) =>
    [...all].filter(
      (p) =>
        group.some((d) => d.paths.has(p)) &&
        !direct.some((o) => !group.includes(o) && o.paths.has(p)),
    );
  const rows = direct
    .map((d) => {
      const own = owned([d]);
      return { name: `${d.name} ${d.version}`, packages: own.length, mb: mb(own) };
    })
    .sort((a, b) => b.mb - a.mb);
  const added = direct.filter((d) => later.includes(d.name));
  const addedOwn = owned(added);
  const met = all.size < target.packages && totalMb < target.mb;
  const byName = (name) => direct.find((d) => d.name === name);
  const missedNote = () => {
    const redis = owned(['redis', 'connect-redis'].map(byName).filter(Boolean));
    const packages = all.size - redis.length;
    const left = (totalMb - mb(redis)).toFixed(1);
    const open = byName('open');
    return `Why the target is missed, and what would close it: redis and connect-redis, needed only for \`--store redis\`, bring ${redis.length} packages and ${mb(redis).toFixed(1)} MB. As optional peer dependencies that \`--store redis\` asks the learner to install, a default install would be ${packages} packages and ${left} MB.${
      packages >= target.packages && open
        ? ` That is still ${packages} packages, most of them express's (${owned([byName('express')]).length}); making open (for \`--open\`, ${owned([open]).length} packages) optional too would leave ${packages - owned([open]).length}.`
        : ''
    }`;
  };
  const pack = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']))[0];
  return {
    title: 'Install footprint',
    header: ['', 'packages', 'unpacked MB', 'vs. session-tutor'],
    rows: [
      ['**session-tutor production dependencies**', String(all.size), totalMb.toFixed(1), ''],
      ...peers.map((p) => [
        p.name,
        String(p.packages),
        String(p.mb),
        `${(all.size / p.packages).toFixed(2)}× the packages, ${(totalMb / p.mb).toFixed(2)}× the MB`,
      ]),
      ['target', `< ${target.packages}`, `< ${target.mb}`, met ? 'met' : 'MISSED'],
    ],
    byDependency: {
      header: ['direct dependency', 'packages only it brings', 'MB only it brings'],
      rows: rows.map((r) => [r.name, String(r.packages), r.mb.toFixed(2)]),
    },
    packages: all.size,
    mb: totalMb,
    notes: [
      `Counted from \`npm ls --omit=dev --all\` in this checkout, as package-lock.json installs them: every package folder once; sizes are \`du -sb\` of each folder without its nested node_modules (apparent bytes, MB = 10^6 bytes). On disk, in blocks, the same folders take ${onDiskMb.toFixed(1)} MiB.`,
      `session-tutor's own package adds ${(pack.unpackedSize / 1e6).toFixed(2)} MB in ${pack.entryCount} files (\`npm pack --dry-run\`).`,
      'The learnyounode and expressworks figures are those given in issue 7. "Only it brings" counts what removing that dependency alone would remove; packages that several dependencies share are in no row. A peer dependency (connect-redis expects redis and express-session) counts for the dependency that installs it.',
      ...(added.length === 0
        ? []
        : [
            `${added.map((d) => d.name).join(', ')} came with lessons 7-11 and \`--open\`; together they add ${addedOwn.length} packages and ${mb(addedOwn).toFixed(1)} MB. Without them: ${all.size - addedOwn.length} packages, ${(totalMb - mb(addedOwn)).toFixed(1)} MB.`,
          ]),
      ...(met ? [] : [missedNote()]),
    ],
  };
}
