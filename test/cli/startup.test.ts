import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFailSpec, ruleSpec } from '../../src/failures/spec.js';
import { runCli, startCli } from '../support/processes.js';
import { register, tempDir } from '../support/server.js';

const root = tempDir();
const hasJq = (() => {
  try {
    execFileSync('jq', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
const CLIENT = { client_name: 'start-up', redirect_uris: ['http://localhost/cb'] };
const FIXTURE = { client_id: 'fx-spa', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost/cb'] };

/** A folder with a dcr-mock.config.json (found without --config) naming a fixtures file, rules and a latency. */
function scenario(name: string): string {
  const cwd = join(root, name);
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'clients.json'), JSON.stringify([FIXTURE]));
  writeFileSync(
    join(cwd, 'dcr-mock.config.json'),
    JSON.stringify({
      profile: 'rfc7591',
      fixtures: 'clients.json',
      failures: ['rate_limited:times=2', { mode: 'server_error', rate: 0.25, match: { client_name: '/^ci-/' } }],
      latency: '5-10',
    }),
  );
  return cwd;
}

describe('the start-up lines', () => {
  it('name the URLs, the db, the profile, the config file found, the fixtures and the rules in force', async () => {
    const cwd = scenario('text');
    const mock = await startCli(['--port', '0', '--db', ':memory:', '--quiet', '--fail', 'delay:ms=3'], { cwd });
    await mock.waitForLine(/^latency: /);
    expect(await mock.stop()).toBe(0);
    expect((await mock.exit).stdout).toBe(
      [
        mock.url,
        `registration endpoint: ${mock.url}/oidc/register`,
        'db: :memory:',
        `inspector: ${mock.url}/`,
        'profile: rfc7591',
        `config: ${join(cwd, 'dcr-mock.config.json')}`,
        `fixtures: 1 client from ${join(cwd, 'clients.json')}, 1 newly stored`,
        'failure rule: delay:ms=3',
        'failure rule: rate_limited:times=2',
        'failure rule: server_error:rate=0.25,client_name=/^ci-/',
        'latency: 5-10 ms',
        '',
      ].join('\n'),
    );
  });

  it('name each tenant, its issuer and its db file, and the JSON start record lists them', async () => {
    const cwd = join(root, 'tenants');
    mkdirSync(cwd);
    const mock = await startCli(['--port', '0', '--quiet', '--tenant', 'a', '--tenant', 'b'], { cwd });
    await mock.waitForLine(/^tenant b: /);
    expect(await mock.stop()).toBe(0);
    expect((await mock.exit).stdout.split('\n').slice(5)).toEqual([
      `tenant a: ${mock.url}/t/a/ (db: ${join(cwd, 'db.a.json')})`,
      `tenant b: ${mock.url}/t/b/ (db: ${join(cwd, 'db.b.json')})`,
      '',
    ]);
    const json = await startCli(['--port', '0', '--db', ':memory:', '--log', 'json', '--tenant', 'a']);
    expect(await json.stop()).toBe(0);
    const start = JSON.parse((await json.exit).stdout.split('\n')[0]!);
    expect(start.tenants).toEqual([{ name: 'a', issuer: `${json.url}/t/a/`, db: ':memory:' }]);
  });

  it('are the five lines that say where it is, when nothing else was given', async () => {
    const mock = await startCli(['--port', '0', '--db', ':memory:', '--quiet']);
    await mock.waitForLine(/^profile: /);
    expect(await mock.stop()).toBe(0);
    expect((await mock.exit).stdout.split('\n').slice(3)).toEqual([`inspector: ${mock.url}/`, 'profile: auth0', '']);
  });
});

describe('--log json: every line dcr-mock prints is a JSON object', () => {
  const lines = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('the start record first, then one per request; a warning on stderr', async () => {
    const cwd = scenario('json');
    const mock = await startCli(['--host', '0.0.0.0', '--port', '0', '--db', ':memory:', '--log', 'json'], { cwd });
    const url = mock.url.replace('0.0.0.0', '127.0.0.1');
    expect((await register({ registrationEndpoint: `${url}/oidc/register` }, CLIENT)).status).toBe(429);
    expect(await mock.stop()).toBe(0);
    const { stdout, stderr } = await mock.exit;
    const [start, request, ...rest] = lines(stdout);
    expect(start).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      event: 'start',
      url: mock.url,
      registrationEndpoint: `${mock.url}/oidc/register`,
      db: ':memory:',
      inspector: `${mock.url}/`,
      profile: 'rfc7591',
      config: join(cwd, 'dcr-mock.config.json'),
      fixtures: { clients: 1, stored: 1, from: join(cwd, 'clients.json') },
      failures: ['rate_limited:times=2', 'server_error:rate=0.25,client_name=/^ci-/'],
      latency: '5-10',
    });
    expect(request).toMatchObject({ event: 'request', method: 'POST', status: 429, failure: 'rate_limited' });
    expect(rest).toEqual([]);
    expect(lines(stderr)).toEqual([
      { time: expect.any(String), event: 'warning', message: expect.stringMatching(/^listening on 0\.0\.0\.0, /) },
    ]);
  });

  it.each([
    { how: '--log json', args: ['--log', 'json', '--port', 'abc'], env: {} },
    { how: 'DCR_MOCK_LOG=json', args: ['--port', 'abc'], env: { DCR_MOCK_LOG: 'json' } },
  ])('a refusal is one JSON line on stderr too ($how), exit 2', async ({ args, env }) => {
    const { code, stdout, stderr } = await runCli(['--db', ':memory:', ...args], { env });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(lines(stderr)).toEqual([
      {
        time: expect.any(String),
        event: 'error',
        message: expect.stringMatching(/^Failed to read the options: --port must be an integer/),
        exitCode: 2,
      },
    ]);
  });

  it.skipIf(!hasJq)('so that jq reads the URL from the first line', async () => {
    const mock = await startCli(['--port', '0', '--db', ':memory:', '--log', 'json']);
    const first = mock.lines[0]!;
    await mock.stop();
    expect(execFileSync('jq', ['-r', '.url'], { input: `${first}\n`, encoding: 'utf8' })).toBe(`${mock.url}\n`);
  });
});

describe('ruleSpec: a rule as the spec that gives it back', () => {
  it.each([
    'rate_limited',
    'rate_limited:times=2',
    'service_unavailable:after=1,rate=0.5,retry_after=3',
    'server_error:client_name=/^ci-/,header=x-test:a',
    'delay:ms=100-500',
    'timeout:times=1,ms=20',
    'bad_gateway:status=599',
  ])('%s', (spec) => {
    const [rule] = parseFailSpec(spec);
    expect(ruleSpec(rule!)).toBe(spec);
    expect(parseFailSpec(ruleSpec(rule!))).toEqual([rule]);
  });
});
