import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_SIZE } from '../../src/control/journal.js';
import { MODE_NAMES } from '../../src/failures/catalogue.js';
import type { RunningServer } from '../../src/server.js';
import { VERSION } from '../../src/version.js';
import { call, controlPlane } from '../support/control.js';
import { freshIds } from '../support/failure-checks.js';
import { JSON_HEADERS, send } from '../support/http.js';
import { startCli } from '../support/processes.js';
import { register, start } from '../support/server.js';
import { METADATA } from '../support/wire.js';

const SEED = 'control-plane';
const CLOCK = '2026-02-03T04:05:06.000Z';

describe('the /__dcr control plane', () => {
  let ids: string[];
  let server: RunningServer;
  let control: ReturnType<typeof controlPlane>;

  beforeAll(async () => {
    ids = await freshIds(3, { seed: SEED });
    server = await start({ seed: SEED, clock: CLOCK, fail: ['gateway_timeout:client_name=static-rule'] });
    control = controlPlane(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('GET /__dcr/health reports status, version, profile, clients, sequence, the issuer and its endpoints', async () => {
    await register(server, METADATA);
    const res = await control.at('GET', 'health');
    expect(res.status).toBe(200);
    const base = `${server.url}/`;
    expect(res.json).toEqual({
      status: 'ok',
      version: VERSION,
      profile: 'auth0',
      clients: 1,
      sequence: 1,
      uptime_ms: expect.any(Number),
      issuer: base,
      endpoints: {
        authorization_endpoint: `${base}authorize`,
        token_endpoint: `${base}oauth/token`,
        userinfo_endpoint: `${base}userinfo`,
        revocation_endpoint: `${base}oauth/revoke`,
        registration_endpoint: `${base}oidc/register`,
        jwks_uri: `${base}.well-known/jwks.json`,
      },
      client_configuration: null,
    });
    // The same URLs as discovery advertises.
    const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({ issuer: res.json.issuer, ...res.json.endpoints });
  });

  it('GET /__dcr/health gives where a client is managed when the profile has RFC 7592 management', async () => {
    const managed = await start({ seed: SEED, profile: 'rfc7591' });
    try {
      const health = (await controlPlane(managed.url).at('GET', 'health')).json;
      const registered = await register(managed, METADATA);
      const id = String(registered.json['client_id']);
      expect(health.client_configuration).toBe(`${managed.url}/oidc/register/`);
      expect(registered.json['registration_client_uri']).toBe(`${health.client_configuration}${id}`);
    } finally {
      await managed.close();
    }
  });

  it('GET /__dcr/clients lists the stored clients; DELETE /__dcr/clients/:id removes one without rewinding', async () => {
    await register(server, { ...METADATA, client_name: 'one' });
    await register(server, { ...METADATA, client_name: 'two' });
    const listed = await control.at('GET', 'clients');
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual([
      expect.objectContaining({ id: ids[0], client_id: ids[0], client_name: 'one', created_at: CLOCK }),
      expect.objectContaining({ id: ids[1], client_id: ids[1], client_name: 'two', created_at: CLOCK }),
    ]);

    expect((await control.at('DELETE', `clients/${ids[0]}`)).status).toBe(204);
    expect((await control.at('GET', 'clients')).json.map((c: { client_id: string }) => c.client_id)).toEqual([ids[1]]);
    expect((await call(server.url, 'GET', `/clients/${ids[0]}`)).status).toBe(404);
    const again = await control.at('DELETE', `clients/${ids[0]}`);
    expect(again.status).toBe(404);
    expect(again.json.error).toBe('not_found');
    expect((await register(server, METADATA)).json['client_id']).toBe(ids[2]);
  });

  it('GET /__dcr/requests journals registrations newest first, with their body, status and failure', async () => {
    const ok = await register(server, { ...METADATA, client_name: 'ok' });
    const refused = await register(
      server,
      { ...METADATA, client_name: 'refused' },
      { 'x-dcr-mock-fail': 'rate_limited' },
    );
    const invalid = await register(server, { client_name: 'invalid' });
    await control.at('GET', 'health');
    const res = await control.at('GET', 'requests');
    expect(res.status).toBe(200);
    const common = { time: CLOCK, method: 'POST', path: '/oidc/register', ms: expect.any(Number) };
    // The answer as the client got it, after the request.
    const answer = (reply: typeof ok) => ({
      status: reply.status,
      headers: expect.objectContaining({ 'content-type': reply.headers.get('content-type') }),
      body: reply.json,
    });
    expect(res.json).toEqual([
      { ...common, id: expect.any(Number), body: { client_name: 'invalid' }, status: 400, response: answer(invalid) },
      {
        ...common,
        id: expect.any(Number),
        body: { ...METADATA, client_name: 'refused' },
        status: 429,
        failure: 'rate_limited',
        response: answer(refused),
      },
      {
        ...common,
        id: expect.any(Number),
        body: { ...METADATA, client_name: 'ok' },
        status: 201,
        client_id: ids[0],
        response: answer(ok),
      },
    ]);
    const entryIds = res.json.map((e: { id: number }) => e.id);
    expect(entryIds).toEqual([...entryIds].sort((x: number, y: number) => y - x));
    expect((await control.at('GET', 'requests?limit=1')).json.map((e: { id: number }) => e.id)).toEqual([entryIds[0]]);
    expect((await control.at('DELETE', 'requests')).status).toBe(204);
    expect((await control.at('GET', 'requests')).json).toEqual([]);
  });

  it('GET /__dcr/requests shows a body that is not JSON as its text, and one past 4096 characters cut', async () => {
    const long = JSON.stringify({ ...METADATA, client_name: 'x'.repeat(5000) });
    for (const body of ['not json', long, '']) {
      await send(`${server.url}/oidc/register`, { method: 'POST', body, headers: JSON_HEADERS });
    }
    const bodies = (await control.at('GET', 'requests')).json.map((e: { body: unknown }) => e.body);
    expect(bodies).toEqual(['', `${long.slice(0, 4096)}… (${long.length} characters)`, 'not json']);
  });

  it(`keeps only the last ${JOURNAL_SIZE} requests`, async () => {
    const bounded = await start({ seed: SEED });
    try {
      const total = JOURNAL_SIZE + 5;
      let sent = 0;
      const worker = async () => {
        while (sent < total) {
          sent++;
          expect((await register(bounded, METADATA)).status).toBe(201);
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      const journal = (await controlPlane(bounded.url).at('GET', 'requests')).json as Array<{ id: number }>;
      expect(journal).toHaveLength(JOURNAL_SIZE);
      expect(journal.map((e) => e.id)).toEqual(Array.from({ length: JOURNAL_SIZE }, (_, i) => total - i));
      expect(bounded.store.clients).toHaveLength(total);
    } finally {
      await bounded.close();
    }
    // A thousand registrations: generous on a loaded machine.
  }, 60_000);

  it('POST /__dcr/failures takes a rule object, a spec (JSON or text/plain) or an array, and answers with ids', async () => {
    const object = await control.addRule({ mode: 'server_error', times: 1, match: { client_name: 'obj' } });
    expect(object.status).toBe(201);
    expect(object.json).toEqual({
      id: expect.any(String),
      source: 'runtime',
      mode: 'server_error',
      times: 1,
      match: { client_name: 'obj' },
      seen: 0,
      applied: 0,
      remaining: 1,
    });
    const spec = await control.addRule('delay:ms=100-200,client_name=spec');
    expect(spec.json).toMatchObject({ mode: 'delay', ms: '100-200', match: { client_name: 'spec' } });
    const text = await control.addRule('rate_limited:retry_after=9,redirect_uri=text', true);
    expect(text.json).toMatchObject({ mode: 'rate_limited', retry_after: 9, match: { redirect_uri: 'text' } });
    const array = await control.addRule([
      { mode: 'status_200', after: 2 },
      'service_unavailable:rate=0.25;bad_gateway:status=599',
    ]);
    expect(array.status).toBe(201);
    expect(array.json.map((r: { mode: string }) => r.mode)).toEqual([
      'status_200',
      'service_unavailable',
      'bad_gateway',
    ]);

    const ruleIds = [object.json.id, spec.json.id, text.json.id, ...array.json.map((r: { id: string }) => r.id)];
    expect(new Set(ruleIds).size).toBe(6);
    const listing = await control.at('GET', 'failures');
    expect(listing.status).toBe(200);
    expect(listing.json.rules.map((r: { id: string }) => r.id)).toEqual([...ruleIds, expect.any(String)]);
    expect(listing.json.rules.at(-1)).toMatchObject({ source: 'static', mode: 'gateway_timeout' });
    expect(listing.json.latency).toBeNull();
    expect(listing.json.modes.map((m: { mode: string }) => m.mode)).toEqual(MODE_NAMES);
  });

  it('GET /__dcr/failures shows live counters; DELETE /__dcr/failures/:id and DELETE /__dcr/failures remove run-time rules', async () => {
    const a = (await control.addRule('server_error:client_name=/^a$/,times=3')).json;
    const b = (await control.addRule('bad_gateway:client_name=b')).json;
    await register(server, { ...METADATA, client_name: 'a' });
    await register(server, { ...METADATA, client_name: 'static-rule' });
    const counters = (await control.rules()).map((r) => [r['id'], r['seen'], r['applied'], r['remaining']]);
    expect(counters).toEqual([
      [a.id, 1, 1, 2],
      [b.id, 0, 0, undefined],
      [expect.any(String), 1, 1, undefined],
    ]);

    expect((await control.at('DELETE', `failures/${a.id}`)).status).toBe(204);
    expect((await control.at('DELETE', `failures/${a.id}`)).status).toBe(404);
    expect((await control.rules()).map((r) => r['id'])).toEqual([b.id, expect.stringMatching(/^s/)]);
    expect((await register(server, { ...METADATA, client_name: 'a' })).status).toBe(201);

    expect((await control.at('DELETE', 'failures')).status).toBe(204);
    expect((await control.rules()).map((r) => r['source'])).toEqual(['static']);
    expect((await register(server, { ...METADATA, client_name: 'b' })).status).toBe(201);
    expect((await register(server, { ...METADATA, client_name: 'static-rule' })).status).toBe(504);
  });

  it('POST /__dcr/reset empties clients and journal, drops run-time rules, zeroes counters and rewinds the sequence', async () => {
    await register(server, METADATA);
    await register(server, METADATA);
    await control.addRule('server_error:client_name=never');
    await register(server, { ...METADATA, client_name: 'static-rule' });

    expect((await control.reset()).status).toBe(204);
    expect((await control.at('GET', 'clients')).json).toEqual([]);
    expect((await control.at('GET', 'requests')).json).toEqual([]);
    expect((await control.at('GET', 'health')).json).toMatchObject({ clients: 0, sequence: 0 });
    expect(await control.rules()).toEqual([expect.objectContaining({ source: 'static', seen: 0, applied: 0 })]);
    expect((await register(server, METADATA)).json['client_id']).toBe(ids[0]);
  });

  it('answers 404 for a route it does not have', async () => {
    const res = await control.at('GET', 'nothing-here');
    expect(res.status).toBe(404);
    expect(res.json.error_description).toMatch(/not a control-plane route/);
  });
});

describe('--admin-token', () => {
  const TOKEN = 'admin-s3cret';
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ adminToken: TOKEN });
  });
  afterAll(() => server.close());

  const ROUTES: Array<[string, string, unknown?]> = [
    ['GET', 'health'],
    ['GET', 'clients'],
    ['GET', 'failures'],
    ['POST', 'failures', 'server_error:times=1'],
    ['GET', 'requests'],
    ['DELETE', 'failures'],
    ['POST', 'reset'],
  ];

  it.each(ROUTES)('%s /__dcr/%s needs Authorization: Bearer <token>', async (method, path, body) => {
    const attempts = {
      none: {},
      wrong: { authorization: `Bearer ${TOKEN}x` },
      short: { authorization: 'Bearer admin' },
      basic: { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
    };
    for (const [what, headers] of Object.entries(attempts)) {
      const res = await call(server.url, method, `/__dcr/${path}`, { body, headers });
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer .*error="invalid_token"/);
      expect(res.json.error, what).toBe('invalid_token');
    }
    const res = await call(server.url, method, `/__dcr/${path}`, {
      body,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBeLessThan(300);
    await call(server.url, 'DELETE', '/__dcr/failures', { headers: { authorization: `Bearer ${TOKEN}` } });
  });

  it("json-server's routes, which show every secret, need it too", async () => {
    for (const path of ['/clients', '/clients?_page=1', '/meta']) {
      const res = await call(server.url, 'GET', path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Bearer .*error="invalid_token"/);
    }
    const allowed = await call(server.url, 'GET', '/clients', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(Array.isArray(allowed.json)).toBe(true);
  });

  it('registration, discovery and the inspector page need no token, nor does a failure asked for in the request', async () => {
    expect((await call(server.url, 'GET', '/.well-known/openid-configuration')).status).toBe(200);
    expect((await call(server.url, 'GET', '/')).status).toBe(200);
    expect((await register(server, METADATA)).status).toBe(201);
    expect((await register(server, METADATA, { 'x-dcr-mock-fail': 'rate_limited' })).status).toBe(429);
  });

  it('is set from the command line as --admin-token', async () => {
    const cli = await startCli(['--port', '0', '--db', ':memory:', '--quiet', '--admin-token', TOKEN]);
    try {
      const without = await call(cli.url, 'GET', '/__dcr/health');
      expect(without.status).toBe(401);
      expect(without.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(
        (await call(cli.url, 'GET', '/__dcr/health', { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(200);
      expect((await register(cli, METADATA)).status).toBe(201);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
