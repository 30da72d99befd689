import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FailSpecError, MODE_NAMES, StartupError, startDcrMock } from '../../src/index.js';
import type { RunningServer } from '../../src/server.js';
import { controlPlane } from '../support/control.js';
import { runMain } from '../support/main.js';
import { register, start, tempDir } from '../support/server.js';
import { METADATA } from '../support/wire.js';

// Malformed failure specs are refused wherever a rule can be written, with a message that names
// the bad part and lists the valid modes.
const VALID_MODES = `Valid modes: ${MODE_NAMES.join(', ')}`;

const BAD_SPECS: Array<{ spec: string; why: RegExp }> = [
  { spec: 'bogus', why: /unknown mode "bogus"/ },
  { spec: 'server_error:foo=1', why: /"foo=1" in "server_error:foo=1" must be key=value with key one of/ },
  { spec: 'server_error:times', why: /"times" in "server_error:times" must be key=value/ },
  { spec: 'rate_limited:times=0', why: /times must be a whole number >= 1, got 0/ },
  { spec: 'rate_limited:after=-1', why: /after must be a whole number >= 0, got -1/ },
  { spec: 'server_error:rate=2', why: /rate must be a number from 0 to 1, got 2/ },
  { spec: 'server_error:ms=100', why: /ms applies only to delay, timeout, slow_body, not server_error/ },
  { spec: 'delay', why: /delay needs ms/ },
  { spec: 'delay:ms=500-100', why: /ms must be milliseconds .* got "500-100"/ },
  { spec: 'server_error:client_name=/(/', why: /\/\(\/ is not a valid regular expression/ },
  { spec: 'server_error:client_name=/(a+)+$/', why: /\/\(a\+\)\+\$\/ could backtrack without end/ },
  { spec: 'server_error:status=200', why: /status must be a whole number from 400 to 599, got 200/ },
  { spec: 'reset:status=500', why: /status applies only to HTTP error modes, not reset/ },
  {
    spec: 'server_error:retry_after=5',
    why: /retry_after applies only to rate_limited, service_unavailable, not server_error/,
  },
  { spec: 'server_error:header=retry', why: /match.header must be NAME:PATTERN .*got "retry"/ },
  { spec: '', why: /a failure spec must name a mode/ },
];

describe('malformed failure specs', () => {
  let server: RunningServer;
  let control: ReturnType<typeof controlPlane>;

  beforeAll(async () => {
    server = await start();
    control = controlPlane(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  async function expectUnchanged() {
    expect(server.store.clients).toEqual([]);
    expect(server.store.sequence).toBe(0);
    expect(server.plan.list()).toEqual([]);
  }

  it.each(BAD_SPECS)('POST /__dcr/failures refuses "$spec"', async ({ spec, why }) => {
    for (const res of [await control.addRule(spec, true), await control.addRule(spec), await control.addRule([spec])]) {
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_request');
      expect(res.json.error_description).toMatch(why);
      expect(res.json.error_description).toContain(VALID_MODES);
    }
    await expectUnchanged();
  });

  it.each(BAD_SPECS)(
    'x-dcr-mock-fail and ?__fail= refuse "$spec" with a 400, storing nothing',
    async ({ spec, why }) => {
      const viaHeader = await register(server, METADATA, { 'x-dcr-mock-fail': spec });
      const viaQuery = await register(
        { registrationEndpoint: `${server.registrationEndpoint}?__fail=${encodeURIComponent(spec)}` },
        METADATA,
      );
      for (const [res, where] of [
        [viaHeader, 'x-dcr-mock-fail'],
        [viaQuery, '__fail'],
      ] as const) {
        expect(res.status).toBe(400);
        expect(res.json['error']).toBe('invalid_request');
        expect(res.json['error_description']).toMatch(new RegExp(`^${where} `));
        expect(res.json['error_description']).toMatch(why);
        expect(res.json['error_description']).toContain(VALID_MODES);
      }
      await expectUnchanged();
    },
  );

  it('rule objects are checked as strictly as specs', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ mode: 'server_error', times: 1.5 }, /times must be a whole number >= 1, got 1.5/],
      [{ mode: 'server_error', retries: 2 }, /"retries" in the rule is not a rule key/],
      [{ mode: 'server_error', match: { client_name: '' } }, /match.client_name must be a non-empty string/],
      [{ mode: 'server_error', match: { body: 'x' } }, /match.body is not one of client_name, redirect_uri, header/],
      [[{ mode: 'server_error' }, { mode: 'nope' }], /rule 1: unknown mode "nope"/],
      [[], /at least one rule/],
      [42, /must be a spec string .* or an object with a mode/],
    ];
    for (const [rule, why] of cases) {
      const res = await control.addRule(rule);
      expect(res.status, JSON.stringify(rule)).toBe(400);
      expect(res.json.error_description).toMatch(why);
    }
    // An array is all or nothing: its good first rule was not added either.
    await expectUnchanged();
    const notJson = await fetch(`${server.url}/__dcr/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"mode":',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error_description: string }).error_description).toMatch(
      /the body must be JSON/,
    );
  });

  it('the programmatic API throws FailSpecError, and refuses to start on a bad static rule', async () => {
    const mock = await startDcrMock({ port: 0, db: ':memory:' });
    try {
      expect(() => mock.fail('server_error:rate=2')).toThrow(FailSpecError);
      expect(() => mock.fail({ mode: 'bogus' as never })).toThrow(/unknown mode "bogus"/);
    } finally {
      await mock.close();
    }
    await expect(startDcrMock({ port: 0, db: ':memory:', failures: ['delay'] })).rejects.toThrow(StartupError);
  });
});

describe('malformed failure specs at the command line', () => {
  const dir = tempDir();

  it.each([
    { spec: 'bogus', why: /unknown mode "bogus"/ },
    { spec: 'rate_limited:times=0', why: /times must be a whole number >= 1, got 0/ },
    { spec: 'server_error:client_name=/(a+)+$/', why: /could backtrack without end/ },
  ])('--fail $spec exits 2 with one line on stderr', async ({ spec, why }) => {
    const run = await runMain(['--port', '0', '--db', ':memory:', '--fail', spec], { deadlineMs: 15_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(lines[0]).toMatch(/^\[dcr-mock\] Failed to read the options: bad failure rule in --fail: /);
    expect(lines[0]).toMatch(why);
    expect(lines[0]).toContain(VALID_MODES);
  });

  it('a bad rule in the config file, or in DCR_MOCK_FAIL, exits 2 as well', async () => {
    const config = join(dir, 'bad-rule.config.json');
    writeFileSync(config, JSON.stringify({ failures: [{ mode: 'server_error', rate: 2 }] }));
    const [fromFile, fromEnv] = await Promise.all([
      runMain(['--port', '0', '--db', ':memory:', '--config', config], { deadlineMs: 15_000 }),
      runMain(['--port', '0', '--db', ':memory:'], { deadlineMs: 15_000, env: { DCR_MOCK_FAIL: 'delay:ms=x' } }),
    ]);
    expect([fromFile.code, fromEnv.code]).toEqual([2, 2]);
    expect(fromFile.stderr).toMatch(/^\[dcr-mock\] .*failures\[0\]: rate must be a number from 0 to 1, got 2.*\n$/);
    expect(fromEnv.stderr).toMatch(/^\[dcr-mock\] .*ms must be milliseconds .*got "x".*\n$/);
  });
});
