import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCli } from '../support/processes.js';

// The package the way users get it: `npm pack`, installed into a project of its own next to the
// user's own @playwright/test, then used there. A second copy of @playwright/test (the package's
// own, through a link) is what breaks Playwright; an installed tarball brings none. .ci/run runs this file on
// each Node it tests; engine-strict makes the install fail where a dependency refuses that Node.
const run = promisify(execFile);
const PLAYWRIGHT_VERSION = (await import('@playwright/test/package.json', { with: { type: 'json' } })).default.version;

describe('dcr-mock installed from its tarball', () => {
  const project = mkdtempSync(join(tmpdir(), 'dcr-mock-user-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  beforeAll(async () => {
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: ROOT });
    const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        `./${tarball}`,
        `@playwright/test@${PLAYWRIGHT_VERSION}`,
      ],
      { cwd: project, env: { ...process.env, npm_config_ignore_scripts: 'true', npm_config_engine_strict: 'true' } },
    );
  }, 240_000);

  it('runs its binary with npx', async () => {
    const { stdout } = await run('npx', ['--no-install', 'dcr-mock', '--version'], { cwd: project });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);

  it('runs its children on the Node that runs the tests', async () => {
    const { stdout } = await run('npx', ['--no-install', '-c', 'node -p process.version'], { cwd: project });
    expect(stdout.trim()).toBe(process.version);
  }, 60_000);

  it('starts with npx and registers a client', async () => {
    const mock = await startCli(['--port', '0', '--db', ':memory:'], { npx: true, cwd: project, startMs: 60_000 });
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

  it("gives a Playwright test the dcrMock fixture, with the user's own @playwright/test", async () => {
    writeFileSync(
      join(project, 'registration.spec.ts'),
      [
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
      ].join('\n'),
    );
    const { stdout } = await run('npx', ['--no-install', 'playwright', 'test', '--reporter=line'], {
      cwd: project,
      env: { ...process.env, CI: '1' },
    });
    expect(stdout).toMatch(/1 passed/);
  }, 120_000);
});
