import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDcrMock } from '../../src/index.js';
import { CLI, runCli, startCli } from '../support/processes.js';
import { SUITE, ciRecipes, runScript } from '../support/recipes.js';
import { register, tempDir } from '../support/server.js';

const root = tempDir();
const CLIENT = { redirect_uris: ['http://localhost/cb'] };
const at = (url: string) => ({ registrationEndpoint: `${url}/oidc/register` });

/** dcr-mock with pipes of its own, so that a test can close them under it. */
function spawnCli(args: readonly string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DCR_MOCK_')));
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, exit };
}

const firstLine = (child: ChildProcess) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('close', (code) => reject(new Error(`dcr-mock exited with ${code} before printing a line`)));
  });

describe('a closed stdout or stderr never stops the server', () => {
  it('stdout closed after the URL line (`| head -1`): every request is still answered, a stop is clean', async () => {
    const { child, exit } = spawnCli(['--port', '0', '--db', ':memory:']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await firstLine(child);
    child.stdout!.destroy();
    // Each answer is a request log line written to the closed pipe.
    for (let i = 0; i < 5; i++) expect((await register(at(url), CLIENT)).status).toBe(201);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toBe('');
  });

  it('stderr closed from the start: the warning it would print is dropped, the server serves', async () => {
    const { child, exit } = spawnCli(['--host', '0.0.0.0', '--port', '0', '--db', ':memory:', '--quiet']);
    child.stderr!.destroy();
    const url = await firstLine(child);
    expect((await register(at(url.replace('0.0.0.0', '127.0.0.1')), CLIENT)).status).toBe(201);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('--help into a closed stdout exits 0', async () => {
    const { child, exit } = spawnCli(['--help']);
    child.stdout!.destroy();
    expect(await exit).toBe(0);
  });
});

describe('--url-file', () => {
  it('holds the URL line while dcr-mock listens, and is gone once it stops', async () => {
    const file = join(root, 'listening.url');
    const mock = await startCli(['--port', '0', '--db', ':memory:', '--quiet', '--url-file', file]);
    expect(readFileSync(file, 'utf8')).toBe(`${mock.url}\n`);
    expect(await mock.stop()).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('replaces one an earlier run left, and is relative to the working directory', async () => {
    const cwd = join(root, 'stale');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'dcr-mock.url'), 'http://127.0.0.1:1\n');
    const mock = await startCli(['--port', '0', '--db', ':memory:', '--quiet', '--url-file', 'dcr-mock.url'], { cwd });
    expect(readFileSync(join(cwd, 'dcr-mock.url'), 'utf8')).toBe(`${mock.url}\n`);
    expect(await mock.stop()).toBe(0);
    expect(existsSync(join(cwd, 'dcr-mock.url'))).toBe(false);
  });

  it('in a folder that does not exist: exit 1 before the URL line, saying which file and what to do', async () => {
    const file = join(root, 'missing', 'dcr-mock.url');
    const { code, stdout, stderr } = await runCli(['--port', '0', '--db', ':memory:', '--url-file', file]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^\[dcr-mock\] Failed to write the URL file [^\n]*missing\/dcr-mock\.url: [^\n]*ENOENT/);
    expect(stderr).toMatch(/Choose a --url-file in a folder that exists and can be written\.\n$/);
  });

  it('is written and removed by startDcrMock({ urlFile }) too', async () => {
    const file = join(root, 'api.url');
    const mock = await startDcrMock({ urlFile: file });
    expect(readFileSync(file, 'utf8')).toBe(`${mock.url}\n`);
    await mock.close();
    expect(existsSync(file)).toBe(false);
  });
});

describe("docs/testing.md's recipes for scripts and CI, run as written", () => {
  const { script, step } = ciRecipes();

  /** A user's project with dcr-mock among its devDependencies: node_modules/.bin/dcr-mock is this build. */
  function project(name: string): string {
    const dir = join(root, name);
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(CLI, join(dir, 'node_modules/.bin/dcr-mock'));
    writeFileSync(join(dir, 'suite.mjs'), SUITE);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, scripts: { test: 'node suite.mjs' } }));
    return dir;
  }

  it('the shell recipe: the suite meets dcr-mock, then dcr-mock stops cleanly and removes its file', async () => {
    const cwd = project('script');
    const run = await runScript(['sh'], script, cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('suite: registration 201');
    expect(existsSync(join(cwd, 'dcr-mock.url'))).toBe(false);
    expect(readFileSync(join(cwd, 'dcr-mock.log'), 'utf8')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n/);
  });

  it("the shell recipe: a failing suite's exit code is the script's, and dcr-mock is stopped all the same", async () => {
    const cwd = project('failing-suite');
    const run = await runScript(['sh'], script, cwd, { DCR_SUITE_FAILS: '1' });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('suite: registration 201');
    expect(existsSync(join(cwd, 'dcr-mock.url'))).toBe(false);
  });

  it('the shell recipe: a dcr-mock that cannot start ends it with exit 1 and its reason, rather than a hang', async () => {
    const cwd = project('bad-start');
    const run = await runScript(['sh'], script, cwd, { DCR_MOCK_SEED: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\[dcr-mock\] Failed to read the options: /m);
  });

  it('the GitHub Actions step, under the shell GitHub runs it with', async () => {
    const cwd = project('github');
    const temp = join(cwd, 'runner-temp');
    mkdirSync(temp);
    const run = await runScript(['bash', '--noprofile', '--norc', '-eo', 'pipefail'], step, cwd, { RUNNER_TEMP: temp });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('suite: registration 201');
    expect(run.stdout).toMatch(/^POST \/oidc\/register 201 /m);
    expect(existsSync(join(temp, 'dcr-mock.url'))).toBe(false);
  });
});
