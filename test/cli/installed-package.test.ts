import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCli } from '../support/processes.js';
import { SUITE, ciRecipes, runScript } from '../support/recipes.js';

// The package the way users get it: `npm pack`, installed into projects of their own next to the
// user's own @playwright/test, then used there. A second copy of @playwright/test (the package's
// own, through a link) is what breaks Playwright; an installed tarball brings none. .ci/run runs this file on
// each Node it tests; engine-strict makes the install fail where a dependency refuses that Node.
const run = promisify(execFile);
const versionOf = async (name: string): Promise<string> =>
  (await import(`${name}/package.json`, { with: { type: 'json' } })).default.version;
const [PLAYWRIGHT, TYPESCRIPT, NODE_TYPES] = await Promise.all(
  ['@playwright/test', 'typescript', '@types/node'].map(versionOf),
);

const here = mkdtempSync(join(tmpdir(), 'dcr-mock-users-'));
afterAll(() => rmSync(here, { recursive: true, force: true }));
let tarball: string;

/** A user's project: its package.json (undefined: the one `npm init -y` writes), then the tarball and `deps` installed. */
async function project(name: string, packageJson: object | undefined, deps: readonly string[]): Promise<string> {
  const dir = join(here, name);
  mkdirSync(dir);
  if (packageJson) writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  else await run('npm', ['init', '-y'], { cwd: dir });
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...deps], {
    cwd: dir,
    env: { ...process.env, npm_config_ignore_scripts: 'true', npm_config_engine_strict: 'true' },
  });
  return dir;
}

const playwrightTest = (cwd: string) =>
  run('npx', ['--no-install', 'playwright', 'test', '--reporter=line'], { cwd, env: { ...process.env, CI: '1' } });

/** A Playwright test as a user writes it, whatever the kind of project: TypeScript, imports. */
const SPEC = [
  "import { test, expect } from 'dcr-mock/playwright';",
  '',
  "test('registers, then meets the rule set through the fixture', async ({ dcrMock }) => {",
  "  const body = JSON.stringify({ client_name: 'from a user project', redirect_uris: ['http://localhost/cb'] });",
  "  const post = () => fetch(dcrMock.registrationEndpoint, { method: 'POST', body });",
  '  expect((await post()).status).toBe(201);',
  "  dcrMock.fail('rate_limited:times=1');",
  '  expect((await post()).status).toBe(429);',
  '  expect(dcrMock.clients()).toHaveLength(1);',
  '});',
  '',
].join('\n');

/** The three projects, each with the tarball installed. */
const dirs = { esm: '', commonjs: '', typescript: '' };

beforeAll(async () => {
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', here], { cwd: ROOT });
  tarball = join(here, readdirSync(here).find((f) => f.endsWith('.tgz'))!);
  [dirs.esm, dirs.commonjs, dirs.typescript] = await Promise.all([
    project('esm', { name: 'user-project', private: true, type: 'module' }, [`@playwright/test@${PLAYWRIGHT}`]),
    project('commonjs', undefined, [`@playwright/test@${PLAYWRIGHT}`]),
    project('typescript', undefined, [`typescript@${TYPESCRIPT}`, `@types/node@${NODE_TYPES}`]),
  ]);
}, 240_000);

describe('dcr-mock installed from its tarball into an ES module project', () => {
  it('runs its binary with npx', async () => {
    const { stdout } = await run('npx', ['--no-install', 'dcr-mock', '--version'], { cwd: dirs.esm });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);

  it('runs its children on the Node that runs the tests', async () => {
    const { stdout } = await run('npx', ['--no-install', '-c', 'node -p process.version'], { cwd: dirs.esm });
    expect(stdout.trim()).toBe(process.version);
  }, 60_000);

  it('starts with npx and registers a client', async () => {
    const mock = await startCli(['--port', '0', '--db', ':memory:'], { npx: true, cwd: dirs.esm, startMs: 60_000 });
    try {
      const response = await fetch(mock.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'from the tarball', redirect_uris: ['http://localhost/cb'] }),
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ client_name: 'from the tarball', client_id: expect.any(String) });
    } finally {
      await mock.stop();
    }
  }, 60_000);

  it("runs docs/testing.md's shell recipe for scripts and CI as written", async () => {
    const cwd = dirs.esm;
    writeFileSync(join(cwd, 'suite.mjs'), SUITE);
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ ...pkg, scripts: { test: 'node suite.mjs' } }));
    const recipe = await runScript(['sh'], ciRecipes().script, cwd);
    expect(recipe.code, recipe.stderr).toBe(0);
    expect(recipe.stdout).toContain('suite: registration 201');
    expect(readdirSync(cwd)).not.toContain('dcr-mock.url');
  }, 60_000);

  it('reads a config file that names the shipped JSON Schema in $schema, as docs/options.md shows', async () => {
    const cwd = dirs.esm;
    const schema = join(cwd, 'node_modules/dcr-mock/config.schema.json');
    expect(readFileSync(schema, 'utf8')).toBe(readFileSync(join(ROOT, 'config.schema.json'), 'utf8'));
    const { stdout } = await run(process.execPath, ['-p', "require.resolve('dcr-mock/config.schema.json')"], { cwd });
    expect(stdout.trim()).toBe(schema);
    const config = { $schema: './node_modules/dcr-mock/config.schema.json', seed: 'with-schema', port: 0 };
    writeFileSync(join(cwd, 'dcr-mock.config.json'), JSON.stringify(config));
    const mock = await startCli(['--db', ':memory:', '--quiet'], { npx: true, cwd, startMs: 60_000 });
    try {
      expect(await mock.waitForLine(/^config: /)).toBe(`config: ${join(cwd, 'dcr-mock.config.json')}`);
    } finally {
      await mock.stop();
      rmSync(join(cwd, 'dcr-mock.config.json'));
    }
  }, 60_000);

  it("gives a Playwright test the dcrMock fixture, with the user's own @playwright/test", async () => {
    const cwd = dirs.esm;
    writeFileSync(join(cwd, 'registration.spec.ts'), SPEC);
    expect((await playwrightTest(cwd)).stdout).toMatch(/1 passed/);
  }, 120_000);
});

// Node >= 20.19 can require() an ES module that has no top-level await: the export map's `default`
// lets it, and neither entry may ever await at its top level.
describe('dcr-mock installed into the CommonJS project `npm init -y` makes', () => {
  it('is a CommonJS project', async () => {
    const pkg = JSON.parse(readFileSync(join(dirs.commonjs, 'package.json'), 'utf8'));
    expect(pkg.type ?? 'commonjs').toBe('commonjs');
  });

  it("require('dcr-mock') starts a mock with no options, and require('dcr-mock/playwright') has the fixture", async () => {
    const cwd = dirs.commonjs;
    writeFileSync(
      join(cwd, 'index.js'),
      [
        "const { startDcrMock } = require('dcr-mock');",
        "const { test, expect } = require('dcr-mock/playwright');",
        'startDcrMock().then(async (mock) => {',
        "  const body = JSON.stringify({ redirect_uris: ['http://localhost/cb'] });",
        "  const res = await fetch(mock.registrationEndpoint, { method: 'POST', body });",
        '  console.log(JSON.stringify({ status: res.status, extend: typeof test.extend, expect: typeof expect }));',
        '  await mock.close();',
        '});',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['index.js'], { cwd });
    expect(JSON.parse(stdout)).toEqual({ status: 201, extend: 'function', expect: 'function' });
  }, 60_000);

  it('runs a Playwright test that imports dcr-mock/playwright', async () => {
    const cwd = dirs.commonjs;
    writeFileSync(join(cwd, 'registration.spec.ts'), SPEC);
    expect((await playwrightTest(cwd)).stdout).toMatch(/1 passed/);
  }, 120_000);
});

describe('dcr-mock installed into a TypeScript project (strict, CommonJS output)', () => {
  const MAIN = [
    "import { type DcrMock, type StartOptions, StartupError, startDcrMock } from 'dcr-mock';",
    '',
    "// @ts-expect-error: the types are the package's own, not any, so a port must be a number",
    "const wrong: StartOptions = { port: 'four thousand' };",
    'void wrong;',
    '',
    'async function main(): Promise<void> {',
    "  const mock: DcrMock = await startDcrMock({ seed: 'typescript', failures: ['rate_limited:times=1'] });",
    '  try {',
    "    const body = JSON.stringify({ redirect_uris: ['http://localhost/cb'] });",
    "    const post = async () => (await fetch(mock.registrationEndpoint, { method: 'POST', body })).status;",
    '    const statuses = [await post(), await post()];',
    '    const taken = await startDcrMock({ port: Number(new URL(mock.url).port) }).catch((err: unknown) => err);',
    '    const startupError = taken instanceof StartupError;',
    '    console.log(JSON.stringify({ statuses, clients: mock.clients().length, startupError }));',
    '  } finally {',
    '    await mock.close();',
    '  }',
    '}',
    'void main();',
    '',
  ].join('\n');

  it('type-checks code that uses the API, the declarations included, and the output runs', async () => {
    const cwd = dirs.typescript;
    mkdirSync(join(cwd, 'src'));
    writeFileSync(join(cwd, 'src/main.ts'), MAIN);
    writeFileSync(
      join(cwd, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          types: ['node'],
          rootDir: 'src',
          outDir: 'dist',
        },
      }),
    );
    await run('npx', ['--no-install', 'tsc', '-p', '.'], { cwd });
    expect(readFileSync(join(cwd, 'dist/main.js'), 'utf8')).toContain('require("dcr-mock")');
    const { stdout } = await run(process.execPath, ['dist/main.js'], { cwd });
    expect(JSON.parse(stdout)).toEqual({
      statuses: [429, 201],
      clients: 1,
      startupError: true,
    });
  }, 120_000);
});
