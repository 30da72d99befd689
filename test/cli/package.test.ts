import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm pack', () => {
  // What `npm publish` would ship: the built code, the default store, the fixtures and the README.
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
  ) as Array<{ files: Array<{ path: string }> }>;
  const files = pack!.files.map((f) => f.path);

  it('ships what a user needs', () => {
    for (const needed of [
      'dist/bin.js',
      'dist/cli.js',
      'dist/index.js',
      'dist/index.d.ts',
      'db.json',
      'config.schema.json',
      'README.md',
      'package.json',
    ]) {
      expect(files).toContain(needed);
    }
  });

  it('ships nothing else', () => {
    const extra = files.filter(
      (f) => !/^(dist\/|fixtures\/|db\.json$|config\.schema\.json$|README\.md$|package\.json$|LICENSE$)/.test(f),
    );
    expect(extra).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.includes('.test.'))).toEqual([]);
  });
});
