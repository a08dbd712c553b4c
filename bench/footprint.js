// Install footprint of the production dependencies, as the lockfile installs them.
import { execFileSync } from 'node:child_process';
import { root } from './lib.js';

const peers = [
  { name: 'learnyounode 4.2.2', packages: 165, mb: 17 },
  { name: 'expressworks 3.4.3', packages: 214, mb: 35 },
];
const target = { packages: 100, mb: 15 };

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
  const gather = (node) => {
    const children = Object.values(node.dependencies ?? {}).filter((c) => c.path);
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

  const rows = direct
    .map((d) => {
      const own = [...d.paths].filter((p) => !direct.some((o) => o !== d && o.paths.has(p)));
      return { name: `${d.name} ${d.version}`, packages: own.length, mb: mb(own) };
    })
    .sort((a, b) => b.mb - a.mb);
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
      [
        'target',
        `< ${target.packages}`,
        `< ${target.mb}`,
        all.size < target.packages && totalMb < target.mb ? 'met' : 'MISSED',
      ],
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
      'The learnyounode and expressworks figures are those given in issue 7.',
    ],
  };
}
