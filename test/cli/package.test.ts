import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm pack', () => {
  // What `npm publish` would ship: the built code, the config file's schema, the fixtures and the README; no db.json,
  // which dcr-mock creates where it runs.
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
      'config.schema.json',
      'README.md',
      'package.json',
    ]) {
      expect(files).toContain(needed);
    }
  });

  it('ships every chunk the bundled command loads', () => {
    // dist/bin.js is a bundle whose parts load each other by relative path, at start or when first needed.
    const seen = new Set<string>();
    const follow = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(`${ROOT}dist/${file}`, 'utf8');
      for (const [, chunk] of text.matchAll(/(?:from\s*|import\(\s*)"\.\/(bin-[^"]+\.js)"/g)) follow(chunk!);
    };
    follow('bin.js');
    const chunks = [...seen].filter((f) => f !== 'bin.js');
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of seen) expect(files).toContain(`dist/${chunk}`);
  });

  it('ships nothing else', () => {
    const extra = files.filter(
      (f) => !/^(dist\/|fixtures\/|config\.schema\.json$|README\.md$|package\.json$|LICENSE$)/.test(f),
    );
    expect(extra).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.includes('.test.'))).toEqual([]);
  });
});

describe('the quick start in a checkout', () => {
  const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });
  const inGit = (() => {
    try {
      return git('rev-parse', '--is-inside-work-tree').trim() === 'true';
    } catch {
      return false;
    }
  })();

  it.skipIf(!inGit)('writes a db.json that git ignores: the repository keeps none to change', () => {
    expect(git('ls-files', 'db.json')).toBe('');
    expect(git('check-ignore', 'db.json').trim()).toBe('db.json');
  });
});
