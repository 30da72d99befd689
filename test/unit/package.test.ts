import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import semver from 'semver';
import { beforeAll, describe, expect, it } from 'vitest';

// The package as users get it: what `npm pack` puts in the tarball and what its export map resolves to.
// Reads the build in dist/ (npm test builds first); no network.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${root}`), 'utf8'));

describe('the published package', () => {
  let files: string[];
  beforeAll(async () => {
    expect(existsSync(`${root}dist/playwright.js`), 'dist/ is missing: run npm run build first').toBe(true);
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  }, 60_000);

  it.each([
    'dist/index.js',
    'dist/index.d.ts',
    'dist/playwright.js',
    'dist/playwright.d.ts',
    'dist/inspector/assets.js',
    'dist/inspector/index.html',
    'dist/inspector/inspector.css',
    'dist/inspector/inspector.js',
    'dist/inspector/render.js',
    'dist/inspector/render-authorization.js',
    'dist/inspector/render-journal.js',
    'dist/inspector/rule-form.js',
  ])('holds %s', (path) => {
    expect(files).toContain(path);
  });

  it('holds no tests and no sources of the page besides the built ones', () => {
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('examples/'))).toEqual([]);
  });

  it('exports ./playwright with types, both inside the tarball', () => {
    const entry = pkg.exports['./playwright'];
    expect(entry).toEqual({ types: './dist/playwright.d.ts', default: './dist/playwright.js' });
    expect(files).toContain(entry.types.slice(2));
    expect(files).toContain(entry.default.slice(2));
  });

  // `default`, not `import` alone: require() (Node >= 20.19 loads ES modules) resolves it too.
  it('lets CommonJS require both entries, which must never await at their top level', async () => {
    const script = [
      "const main = require('dcr-mock');",
      "const playwright = require('dcr-mock/playwright');",
      'console.log(JSON.stringify({ start: typeof main.startDcrMock, test: typeof playwright.test }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ start: 'function', test: 'function' });
  }, 60_000);

  it('resolves dcr-mock/playwright through the export map, and the module loads with test and expect', async () => {
    const script = [
      "const url = import.meta.resolve('dcr-mock/playwright');",
      "const m = await import('dcr-mock/playwright');",
      'console.log(JSON.stringify({ url, test: typeof m.test, extend: typeof m.test.extend, expect: typeof m.expect }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({
      url: new URL('dist/playwright.js', `file://${root}`).href,
      test: 'function',
      extend: 'function',
      expect: 'function',
    });
  }, 60_000);

  // The tiers name their folders, so a new folder of tests must be given a tier, or it would never run.
  it('runs every folder of Vitest tests in exactly one tier, test:unit or test:http', () => {
    const folders = readdirSync(`${root}test`, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
      .map((entry) => entry.parentPath.slice(root.length).split('/').slice(0, 2).join('/'));
    const tiers = ['test:unit', 'test:http'].map((tier) => pkg.scripts[tier].split(' ').slice(2));
    for (const folder of new Set(folders)) {
      expect(
        tiers.filter((named) => named.some((f: string) => f.replace(/\/$/, '') === folder)),
        folder,
      ).toHaveLength(1);
    }
  });

  // ^1.0.0-beta.3 would take any later beta; from beta.4 on json-server needs a newer Node than engines promises.
  it('pins json-server to exactly 1.0.0-beta.3, in package.json and the lockfile', () => {
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', `file://${root}`), 'utf8'));
    expect(pkg.dependencies['json-server']).toBe('1.0.0-beta.3');
    expect(lock.packages['node_modules/json-server'].version).toBe('1.0.0-beta.3');
  });

  // engines is what npm checks at install, and what the README promises: each Node it admits must be one
  // that every dependency the package installs admits too (faker, for one, wants 22.13 or later on 22).
  it("admits in engines no Node that a dependency's engines refuse", () => {
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', `file://${root}`), 'utf8'));
    const promised: string = pkg.engines.node;
    const refusing = Object.entries(lock.packages as Record<string, { dev?: boolean; engines?: { node?: string } }>)
      .filter(([path, entry]) => path !== '' && !entry.dev && entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.subset(promised, entry.engines!.node!))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} wants ${entry.engines!.node}`);
    expect(refusing, `engines.node is ${promised}`).toEqual([]);
  });

  // A second copy of @playwright/test (one bundled by a fixture package, one in the project) makes
  // Playwright refuse to run; so the package must use the project's copy.
  it('takes @playwright/test as an optional peer, never as its own dependency', () => {
    expect(pkg.peerDependencies?.['@playwright/test']).toBeDefined();
    expect(pkg.peerDependenciesMeta?.['@playwright/test']).toEqual({ optional: true });
    expect(pkg.dependencies?.['@playwright/test']).toBeUndefined();
    expect(pkg.dependencies?.['playwright']).toBeUndefined();
    expect(pkg.devDependencies?.['@playwright/test']).toBeDefined();
  });
});
