import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  API_DEFAULTS,
  type DcrMock,
  DEFAULTS,
  FailSpecError,
  type FailureRuleInput,
  StartupError,
  type StartOptions,
  startDcrMock,
} from '../../src/index.js';
import { ROOT, runNode } from '../support/processes.js';
import { register, tempDir } from '../support/server.js';

const SPA = { client_name: 'My SPA', redirect_uris: ['http://localhost:5173/callback'] };

const scratch = tempDir();

/** Every instance a test starts is closed after it, whatever happens. */
const started: DcrMock[] = [];
async function mock(options: StartOptions = {}): Promise<DcrMock> {
  const instance = await startDcrMock({ port: 0, db: ':memory:', ...options });
  started.push(instance);
  return instance;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.close()));
});

describe('startDcrMock: the handle', () => {
  it('advertises url, issuer and registration endpoint of the port it got', async () => {
    const m = await mock();
    expect(m.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(m.url).not.toBe('http://127.0.0.1:0');
    expect(m.issuer).toBe(`${m.url}/`);
    expect(m.registrationEndpoint).toBe(`${m.url}/oidc/register`);
    const discovery = (await (await fetch(`${m.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({ issuer: m.issuer, registration_endpoint: m.registrationEndpoint });
  });

  it('clients() returns copies of the stored clients', async () => {
    const m = await mock();
    expect(m.clients()).toEqual([]);
    const res = await register(m, SPA);
    expect(res.status).toBe(201);
    const [client] = m.clients();
    expect(client).toMatchObject({ ...res.json, id: res.json['client_id'] });
    client!.client_name = 'changed';
    expect(m.clients()[0]!.client_name).toBe('My SPA');
  });

  it('requests() returns the journal, newest first, with bodies, statuses and failures', async () => {
    const m = await mock();
    await register(m, SPA);
    await register(m, { redirect_uris: 'not-an-array' });
    await register(m, SPA, { 'x-dcr-mock-fail': 'server_error' });
    await fetch(`${m.url}/__dcr/health`);
    const journal = m.requests();
    expect(journal.map((r) => [r.method, r.path, r.status, r.failure])).toEqual([
      ['POST', '/oidc/register', 500, 'server_error'],
      ['POST', '/oidc/register', 400, undefined],
      ['POST', '/oidc/register', 201, undefined],
    ]);
    expect(journal[2]).toMatchObject({ body: SPA, client_id: m.clients()[0]!.client_id });
  });

  it('fail(spec) adds run-time rules and returns them with ids', async () => {
    const m = await mock();
    const [rule] = m.fail('rate_limited:times=2');
    expect(rule).toMatchObject({ id: 'r1', source: 'runtime', mode: 'rate_limited', times: 2, remaining: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await register(m, SPA)).status);
    expect(statuses).toEqual([429, 429, 201]);
  });

  it('fail(spec) takes several rules separated by ;', async () => {
    const m = await mock();
    const rules = m.fail('server_error:times=1; bad_gateway:times=1');
    expect(rules.map((r) => [r.id, r.mode])).toEqual([
      ['r1', 'server_error'],
      ['r2', 'bad_gateway'],
    ]);
    expect([(await register(m, SPA)).status, (await register(m, SPA)).status, (await register(m, SPA)).status]).toEqual(
      [500, 502, 201],
    );
  });

  it('fail(ruleObject) applies the object as given', async () => {
    const m = await mock();
    const [rule] = m.fail({ mode: 'service_unavailable', times: 1, retry_after: 7 });
    expect(rule).toMatchObject({ mode: 'service_unavailable', retry_after: 7 });
    const res = await register(m, SPA);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await register(m, SPA)).status).toBe(201);
  });

  const badRules: Array<[string | FailureRuleInput, RegExp]> = [
    ['rate_limitd', /rate_limitd: unknown mode "rate_limitd"/],
    ['rate_limited:tims=2', /"tims=2" in "rate_limited:tims=2" must be key=value/],
    ['server_error:rate=2', /rate must be a number from 0 to 1, got 2/],
    ['rate_limited:times=1; server_error:after=-1', /server_error:after=-1: after must be a whole number >= 0/],
    ['', /a failure spec must name a mode/],
    [{ mode: 'delay' }, /delay needs ms/],
    [{ mode: 'rate_limited', times: 0 }, /times must be a whole number >= 1, got 0/],
    [{ mode: 'reset', status: 500 } as FailureRuleInput, /status applies only to HTTP error modes, not reset/],
    [{ mode: 'nope' } as unknown as FailureRuleInput, /unknown mode "nope"/],
  ];
  it.each(badRules)('fail(%j) throws a FailSpecError naming the bad part, and adds nothing', async (spec, message) => {
    const m = await mock();
    expect(() => m.fail(spec)).toThrow(FailSpecError);
    expect(() => m.fail(spec)).toThrow(message);
    expect((await register(m, SPA)).status).toBe(201);
    expect((await (await fetch(`${m.url}/__dcr/failures`)).json()).rules).toEqual([]);
  });

  it('clearFailures() removes run-time rules and keeps the ones given at start', async () => {
    const m = await mock({ failures: [{ mode: 'server_error', after: 1 }] });
    m.fail('rate_limited');
    expect((await register(m, SPA)).status).toBe(429);
    m.clearFailures();
    // The start rule lets its first match through, then fails every later one.
    expect((await register(m, SPA)).status).toBe(201);
    expect((await register(m, SPA)).status).toBe(500);
  });

  it('reset() forgets clients, journal and run-time rules, and rewinds the sequence', async () => {
    const m = await mock({ seed: 'reset' });
    const first = await register(m, SPA);
    await register(m, SPA);
    m.fail('server_error');
    await m.reset();
    expect(m.clients()).toEqual([]);
    expect(m.requests()).toEqual([]);
    const again = await register(m, SPA);
    expect(again.status).toBe(201);
    expect(again.json['client_id']).toBe(first.json['client_id']);
  });

  it('close() stops the server, and a second close() is harmless', async () => {
    const m = await startDcrMock({ port: 0, db: ':memory:' });
    expect((await register(m, SPA)).status).toBe(201);
    await m.close();
    await m.close();
    await expect(fetch(`${m.url}/__dcr/health`)).rejects.toThrow();
  });
});

describe('startDcrMock: options', () => {
  it('uses the DEFAULTS shared with the CLI', async () => {
    expect(DEFAULTS).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      db: './db.json',
      seed: 'dcr-mock',
      profile: 'auth0',
    });
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    // Same default seed as the CLI: the README's documented first client_id.
    const m = await mock();
    const res = await register(m, SPA);
    expect(res.json['client_id']).toBe('tpc_w0RGHfqyCUw75jgPiVl5fMXNdWSl6YC1');
  });

  it('takes failures as rule objects and spec strings, after the CLI-style fail option', async () => {
    const m = await mock({
      fail: 'bad_gateway:times=1',
      failures: ['rate_limited:times=1', { mode: 'service_unavailable', times: 1, retry_after: 3 }],
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await register(m, SPA)).status);
    expect(statuses).toEqual([502, 429, 503, 201]);
  });

  it('takes every other CLI option: profile, issuer, clock, latency, adminToken', async () => {
    const m = await mock({
      profile: 'auth0-permissive',
      issuer: 'https://tenant.example.com',
      clock: '2030-01-02T03:04:05Z',
      latency: '1-2',
      adminToken: 'secret-token',
    });
    expect(m.issuer).toBe('https://tenant.example.com/');
    expect(m.registrationEndpoint).toBe('https://tenant.example.com/oidc/register');
    const res = await register({ registrationEndpoint: `${m.url}/oidc/register` }, SPA);
    expect(res.json['client_id']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(m.clients()[0]!['created_at']).toBe('2030-01-02T03:04:05.000Z');
    expect((await fetch(`${m.url}/__dcr/health`)).status).toBe(401);
    expect((await fetch(`${m.url}/__dcr/health`, { headers: { authorization: 'Bearer secret-token' } })).status).toBe(
      200,
    );
  });

  it('reads a config file when given one, under the options passed', async () => {
    const file = join(mkdtempSync(join(scratch, 'case-')), 'scenario.json');
    writeFileSync(file, JSON.stringify({ seed: 'from-file', failures: ['rate_limited:times=1'], latency: 'nope' }));
    const m = await mock({ config: file, latency: 0 });
    expect((await register(m, SPA)).status).toBe(429);
    const fromFile = await register(m, SPA);
    const other = await mock({ seed: 'from-file' });
    expect(fromFile.json['client_id']).toBe((await register(other, SPA)).json['client_id']);
  });

  const badOptions: Array<[string, Record<string, unknown>, RegExp]> = [
    ['port', { port: 70000 }, /--port must be an integer from 0 to 65535, got 70000/],
    ['unknown key', { prot: 0 }, /unknown option "prot"/],
    ['failure spec', { failures: ['rate_limited:times=x'] }, /bad failure rule: .*times must be a whole number/],
    ['latency', { latency: '5-1' }, /--latency must be milliseconds or MIN-MAX/],
    ['clock', { clock: new Date('not a date') }, /--clock must be an ISO 8601 date-time .*, got an invalid Date\./],
    [
      'config file',
      { config: '/nonexistent/dcr-mock.json' },
      /Failed to read the config file \/nonexistent\/dcr-mock.json/,
    ],
  ];
  it.each(badOptions)('a bad %s rejects with a StartupError (exit code 2)', async (_name, options, message) => {
    const error = await startDcrMock({ port: 0, db: ':memory:', ...options } as StartOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });
});

describe('startDcrMock: defaults for tests', () => {
  const dir = tempDir();

  it('with no options: a free port and a store in memory, two instances apart, nothing written', async () => {
    const index = pathToFileURL(join(ROOT, 'dist/index.js')).href;
    const project = mkdtempSync(join(dir, 'project-'));
    writeFileSync(
      join(dir, 'two.mjs'),
      `import { startDcrMock } from ${JSON.stringify(index)};
const [a, b] = await Promise.all([startDcrMock(), startDcrMock()]);
const body = JSON.stringify({ redirect_uris: ['http://localhost:5173/callback'] });
const res = await fetch(a.registrationEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
console.log(JSON.stringify({ status: res.status, urls: [a.url, b.url], clients: [a.clients().length, b.clients().length] }));
await Promise.all([a.close(), b.close()]);
`,
    );
    const result = await runNode([join(dir, 'two.mjs')], { cwd: project, deadlineMs: 10_000 });
    expect(result.stderr).toBe('');
    const seen = JSON.parse(result.stdout); // one line: no request log either
    expect(seen.status).toBe(201);
    expect(seen.clients).toEqual([1, 0]);
    const ports = (seen.urls as string[]).map((url) => new URL(url).port);
    expect(new Set(ports).size).toBe(2);
    expect(ports).not.toContain('4000');
    expect(readdirSync(project)).toEqual([]);
  });

  it('are API_DEFAULTS, over the DEFAULTS the CLI keeps', () => {
    expect(API_DEFAULTS).toEqual({ port: 0, db: ':memory:', quiet: true });
    expect(Object.isFrozen(API_DEFAULTS)).toBe(true);
    expect(DEFAULTS).toMatchObject({ port: 4000, db: './db.json', quiet: false });
  });

  describe('a port in use', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('rejects with a StartupError (exit code 1) that names the port and the option to pass', async () => {
      const error = await startDcrMock({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect(error).toMatchObject({
        exitCode: 1,
        message: `Failed to listen on 127.0.0.1:${port}: port ${port} is in use. Pass port: 0 to listen on a free port (mock.url says which).`,
        cause: { code: 'EADDRINUSE' },
      });
    });

    it('leaves the store it opened closed and unchanged', async () => {
      const db = join(mkdtempSync(join(dir, 'db-')), 'db.json');
      const seeded = await startDcrMock({ db });
      await register(seeded, SPA);
      await seeded.close();
      const before = readdirSync(join(db, '..'));
      await expect(startDcrMock({ port, db })).rejects.toThrow(StartupError);
      // Nothing left behind, its lock on db.json included: a new instance then opens the store at once.
      expect(readdirSync(join(db, '..'))).toEqual(before);
      const again = await mock({ db });
      expect(again.clients()).toHaveLength(1);
    });
  });
});

describe('startDcrMock: many instances in one process', () => {
  it('keeps stores, rules, sequences and journals apart, even under parallel traffic', async () => {
    const [a, b] = await Promise.all([mock({ seed: 'same' }), mock({ seed: 'same' })]);
    expect(a.url).not.toBe(b.url);
    a.fail('rate_limited');
    const [onA, onB] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, () => register(a, SPA))),
      Promise.all(Array.from({ length: 5 }, (_, i) => register(b, { ...SPA, client_name: `b${i}` }))),
    ]);
    expect(onA.map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);
    expect(onB.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(a.clients()).toEqual([]);
    expect(b.clients()).toHaveLength(5);
    expect(a.requests()).toHaveLength(5);
    expect(a.requests().every((r) => r.failure === 'rate_limited')).toBe(true);
    expect(b.requests().every((r) => r.failure === undefined)).toBe(true);

    // a's sequence never moved: its first success gets the id b gave to its first client.
    a.clearFailures();
    const firstOnA = await register(a, SPA);
    const firstIdOnB = b.clients()[0]!.client_id;
    expect(firstOnA.json['client_id']).toBe(firstIdOnB);

    // Resetting one leaves the other alone.
    await b.reset();
    expect(b.clients()).toEqual([]);
    expect(a.clients()).toHaveLength(1);
    expect(a.requests()).toHaveLength(6);
  });

  it('gives each instance its own seeded failure draws', async () => {
    const a = await mock({ failures: ['server_error:rate=0.5'] });
    const b = await mock({ failures: ['server_error:rate=0.5'] });
    const statusesA: number[] = [];
    const statusesB: number[] = [];
    // Interleaved: if the two shared one generator, their sequences would differ from each other.
    for (let i = 0; i < 12; i++) {
      statusesA.push((await register(a, SPA)).status);
      statusesB.push((await register(b, SPA)).status);
    }
    expect(statusesA).toEqual(statusesB);
    expect(new Set(statusesA)).toEqual(new Set([201, 500]));
  });
});

describe('startDcrMock: close() leaves no handle open', () => {
  const dir = tempDir();

  beforeAll(() => {
    const index = pathToFileURL(join(ROOT, 'dist/index.js')).href;
    writeFileSync(
      join(dir, 'three.mjs'),
      `import { startDcrMock } from ${JSON.stringify(index)};
const body = JSON.stringify({ redirect_uris: ['http://localhost:5173/callback'] });
const post = (m, headers = {}) =>
  fetch(m.registrationEndpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const mocks = await Promise.all([
  startDcrMock({ port: 0, db: ':memory:', latency: '1-5' }),
  startDcrMock({ port: 0, db: ${JSON.stringify(join(dir, 'db.json'))}, fixtures: [{ client_id: 'fx', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost/cb'] }] }),
  startDcrMock({ port: 0, db: ':memory:', failures: ['slow_body:rate=0.5,ms=50'] }),
]);
for (const m of mocks) {
  m.fail('rate_limited:times=1');
  if ((await post(m)).status !== 429) throw new Error('expected a 429');
  for (let i = 0; i < 3; i++) await (await post(m)).text();
  m.requests();
  m.clients();
}
// A response still dribbling its body when close() comes: fetch resolves once the headers are in.
const dribbling = await post(mocks[0], { 'x-dcr-mock-fail': 'slow_body:ms=60000' });
const ending = dribbling.text().then(() => 'whole body', () => 'body cut');
await mocks[2].reset();
const closing = performance.now();
await Promise.all(mocks.map((m) => m.close()));
const closed = performance.now();
console.log(await ending);
// Runs once nothing is left to keep the process alive.
process.on('exit', () => {
  console.log(JSON.stringify({ closeMs: closed - closing, exitLagMs: performance.now() - closed }));
});
`,
    );
  });

  it('a child process that starts three instances, uses and closes them, exits by itself', async () => {
    const result = await runNode([join(dir, 'three.mjs')], { cwd: dir, deadlineMs: 10_000 });
    expect(result.timedOut, `still running after 10 s; stdout: ${result.stdout}`).toBe(false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [ending, timings] = result.stdout.trimEnd().split('\n');
    // close() finishes a body still dribbling rather than cutting it: the client was stored.
    expect(ending).toBe('whole body');
    // The child printed its timings from its exit handler: it reached exit by itself.
    expect(JSON.parse(timings!)).toMatchObject({ closeMs: expect.any(Number), exitLagMs: expect.any(Number) });
  });
});

afterAll(async () => {
  await Promise.all(started.splice(0).map((m) => m.close()));
});
