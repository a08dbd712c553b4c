import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// A fresh clone's `npm install` must leave package-lock.json as committed: its root entry repeats
// what package.json says, and npm rewrites it when the two differ.

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
const pkg = read('package.json');
const lock = read('package-lock.json');

describe('package-lock.json', () => {
  it('has a root entry that says what package.json says', () => {
    const root = lock.packages[''];
    expect(lock.name).toBe(pkg.name);
    expect(lock.version).toBe(pkg.version);
    for (const field of [
      'name',
      'version',
      'license',
      'bin',
      'engines',
      'devDependencies',
      'peerDependencies',
      'peerDependenciesMeta',
      'optionalDependencies',
    ])
      expect(root[field], field).toEqual(pkg[field]);
    // npm leaves an empty dependencies object out of the lock
    expect(root.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
  });

  it('lists every install script in allowScripts, so npm 11 has nothing to warn about', () => {
    const withScripts = Object.entries(
      lock.packages as Record<string, { hasInstallScript?: boolean }>,
    )
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual([...new Set(withScripts)].sort());
  });
});
