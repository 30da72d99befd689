import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDcrMock } from '../../src/index.js';
import type { RunningServer } from '../../src/server.js';
import { controlPlane } from '../support/control.js';
import { freshIds } from '../support/failure-checks.js';
import { startCli } from '../support/processes.js';
import { register, start } from '../support/server.js';
import { METADATA } from '../support/wire.js';

const SEED = 'failure-rules';

interface Attempt {
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

async function statuses(server: { registrationEndpoint: string }, attempts: Attempt[]): Promise<number[]> {
  const out: number[] = [];
  for (const { body = {}, headers = {} } of attempts)
    out.push((await register(server, { ...METADATA, ...body }, headers)).status);
  return out;
}
const plain = (n: number): Attempt[] => Array.from({ length: n }, () => ({}));

/** 'x' for a failed registration, '.' for a 201. */
const pattern = (codes: number[]) => codes.map((s) => (s === 201 ? '.' : 'x')).join('');

describe('failure rules', () => {
  let ids: string[];
  let server: RunningServer;
  let control: ReturnType<typeof controlPlane>;

  beforeAll(async () => {
    ids = await freshIds(3, { seed: SEED });
    server = await start({ seed: SEED });
    control = controlPlane(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const storedIds = () => server.store.clients.map((c) => c.client_id);

  it('times=2 fails the next two registrations, then lets them through without shifting ids', async () => {
    expect((await control.addRule('rate_limited:times=2')).status).toBe(201);
    expect(await statuses(server, plain(3))).toEqual([429, 429, 201]);
    expect(storedIds()).toEqual([ids[0]]);
    expect(await control.rules()).toEqual([
      expect.objectContaining({ mode: 'rate_limited', source: 'runtime', times: 2, seen: 2, applied: 2, remaining: 0 }),
    ]);
  });

  it('after=1,times=1 lets the first through, fails the second, and no other', async () => {
    await control.addRule('server_error:after=1,times=1');
    expect(await statuses(server, plain(4))).toEqual([201, 500, 201, 201]);
    expect(storedIds()).toEqual(ids);
    expect(await control.rules()).toEqual([
      expect.objectContaining({ after: 1, times: 1, seen: 2, applied: 1, remaining: 0 }),
    ]);
  });

  const uris = (...u: string[]) => ({ redirect_uris: u });
  it.each<{ what: string; rule: string; hits: Attempt[]; misses: Attempt[] }>([
    {
      what: 'client_name, substring',
      rule: 'server_error:client_name=flaky',
      hits: [{ body: { client_name: 'my flaky app' } }, { body: { client_name: 'flaky' } }],
      misses: [
        { body: { client_name: 'steady app' } },
        { body: { client_name: 'Flaky' } },
        { body: { client_name: undefined } },
      ],
    },
    {
      what: 'client_name, /regex/ with flags',
      rule: 'server_error:client_name=/^ci-\\d{1,3}$/i',
      hits: [{ body: { client_name: 'ci-7' } }, { body: { client_name: 'CI-123' } }],
      misses: [{ body: { client_name: 'ci-1234' } }, { body: { client_name: 'my ci-7' } }],
    },
    {
      what: 'redirect_uri, any of them',
      rule: 'invalid_redirect_uri:redirect_uri=bad.example',
      hits: [
        { body: uris('https://bad.example/cb') },
        { body: uris('https://app.example/cb', 'https://bad.example/cb') },
      ],
      misses: [{ body: uris('https://app.example/cb') }],
    },
    {
      what: 'redirect_uri, /regex/',
      rule: 'invalid_redirect_uri:redirect_uri=/^http:\\/\\/localhost:\\d+\\//',
      hits: [{ body: uris('http://localhost:5173/cb') }],
      misses: [{ body: uris('http://127.0.0.1:5173/cb') }, { body: uris('https://localhost/cb') }],
    },
    {
      what: 'a header, NAME:PATTERN',
      rule: 'server_error:header=x-test-case:retry',
      hits: [{ headers: { 'x-test-case': 'retry' } }, { headers: { 'X-Test-Case': 'retry-twice' } }],
      misses: [{}, { headers: { 'x-test-case': 'other' } }, { headers: { 'x-other': 'retry' } }],
    },
    {
      what: 'every condition at once',
      rule: 'server_error:client_name=/^ci-/,header=x-test-case:/^retry$/',
      hits: [{ body: { client_name: 'ci-1' }, headers: { 'x-test-case': 'retry' } }],
      misses: [
        { body: { client_name: 'ci-1' } },
        { headers: { 'x-test-case': 'retry' } },
        { body: { client_name: 'ci-1' }, headers: { 'x-test-case': 'retry-2' } },
      ],
    },
  ])('match on $what', async ({ rule, hits, misses }) => {
    const added = (await control.addRule(rule)).json;
    const failStatus = rule.startsWith('invalid_redirect_uri') ? 400 : 500;
    expect(await statuses(server, hits)).toEqual(hits.map(() => failStatus));
    expect(await statuses(server, misses)).toEqual(misses.map(() => 201));
    // Failures shift nothing: the misses got the first ids in order.
    expect(storedIds()).toEqual(ids.slice(0, misses.length));
    expect(await control.rules()).toEqual([
      expect.objectContaining({ id: added.id, seen: hits.length, applied: hits.length }),
    ]);
  });

  describe('precedence: request > run time > static', () => {
    let layered: RunningServer;
    beforeAll(async () => {
      // `fail` is the CLI's --fail, `failures` the config file's list: both static.
      layered = await start({ seed: SEED, fail: ['server_error'], failures: [{ mode: 'bad_gateway', times: 1 }] });
    });
    afterAll(() => layered.close());

    it('each source wins over the ones below it, and a losing rule is not counted', async () => {
      const cp = controlPlane(layered.url);
      expect(await statuses(layered, plain(1))).toEqual([500]);
      const runtime = (await cp.addRule({ mode: 'service_unavailable' })).json;
      expect(await statuses(layered, plain(1))).toEqual([503]);
      expect(await statuses(layered, [{ headers: { 'x-dcr-mock-fail': 'rate_limited' } }, {}])).toEqual([429, 503]);
      const viaQuery = await register(
        { registrationEndpoint: `${layered.registrationEndpoint}?__fail=invalid_token` },
        METADATA,
      );
      expect(viaQuery.status).toBe(401);
      expect((await cp.at('DELETE', `failures/${runtime.id}`)).status).toBe(204);
      expect(await statuses(layered, plain(1))).toEqual([500]);

      const rules = await cp.rules();
      expect(rules.map((r) => [r['source'], r['mode'], r['applied']])).toEqual([
        ['static', 'server_error', 2],
        ['static', 'bad_gateway', 0],
      ]);
      expect(layered.journal.list().map((e) => e.failure)).toEqual([
        'server_error',
        'invalid_token',
        'service_unavailable',
        'rate_limited',
        'service_unavailable',
        'server_error',
      ]);
    });

    it('a request rule applies to its own request only', async () => {
      const cp = controlPlane(layered.url);
      await cp.addRule('status_200:times=5');
      expect(await statuses(layered, [{ headers: { 'x-dcr-mock-fail': 'too_many_entities:times=5' } }, {}])).toEqual([
        403, 200,
      ]);
      await cp.at('DELETE', 'failures');
    });
  });

  it('the programmatic API adds run-time rules between static and request rules', async () => {
    const mock = await startDcrMock({ port: 0, db: ':memory:', seed: SEED, failures: ['server_error'] });
    try {
      const [rule] = mock.fail('service_unavailable:times=1');
      expect(rule).toMatchObject({ id: expect.any(String), source: 'runtime', mode: 'service_unavailable', times: 1 });
      expect(await statuses(mock, [{}, {}, { headers: { 'x-dcr-mock-fail': 'rate_limited' } }])).toEqual([
        503, 500, 429,
      ]);
      mock.fail({ mode: 'gateway_timeout' });
      expect(await statuses(mock, plain(1))).toEqual([504]);
      mock.clearFailures();
      expect(await statuses(mock, plain(1))).toEqual([500]);
      expect(mock.requests().map((e) => e.failure)).toEqual([
        'server_error',
        'gateway_timeout',
        'rate_limited',
        'server_error',
        'service_unavailable',
      ]);
      expect(mock.clients()).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  describe('rate', () => {
    const RATE_RULE = 'server_error:rate=0.5';

    it('POST /__dcr/reset rewinds the seeded draws along with the sequence', async () => {
      const rated = await start({ seed: SEED, fail: [RATE_RULE] });
      try {
        const first = pattern(await statuses(rated, plain(24)));
        const firstIds = rated.store.clients.map((c) => c.client_id);
        expect((await controlPlane(rated.url).reset()).status).toBe(204);
        expect(rated.store.clients).toEqual([]);
        const again = pattern(await statuses(rated, plain(24)));
        expect(again).toBe(first);
        expect(first).toMatch(/x/);
        expect(first).toMatch(/\./);
        expect(rated.store.clients.map((c) => c.client_id)).toEqual(firstIds);
        expect(firstIds.slice(0, 3)).toEqual(ids);
      } finally {
        await rated.close();
      }
    });

    it('is reproducible across processes: same --seed, same pattern; another seed, another pattern', async () => {
      const run = async (seed: string) => {
        const cli = await startCli(['--port', '0', '--db', ':memory:', '--quiet', '--seed', seed, '--fail', RATE_RULE]);
        try {
          return pattern(await statuses(cli, plain(40)));
        } finally {
          expect(await cli.stop()).toBe(0);
        }
      };
      const [a, again, b] = await Promise.all([run('rate-a'), run('rate-a'), run('rate-b')]);
      expect(again).toBe(a);
      expect(b).not.toBe(a);
      for (const p of [a, b]) {
        expect(p).toHaveLength(40);
        expect(p, 'neither all-pass nor all-fail').toMatch(/x.*\.|\..*x/);
      }
    });
  });
});
