import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';
import type { RunningServer } from '../../src/server.js';
import { type NodeReply, send } from '../support/http.js';
import { register, start } from '../support/server.js';

const EVIL = 'https://evil.example';
const DEV = 'http://localhost:5173';
const CLIENT = { client_name: 'kept', redirect_uris: ['https://app.example/cb'] };

let server: RunningServer;
let port: number;
let clientId: string;
beforeAll(async () => {
  server = await start();
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close());
beforeEach(async () => {
  await server.reset();
  clientId = (await register(server, CLIENT)).json['client_id'] as string;
});

interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

const call = (c: Call, base = server.url): Promise<NodeReply> =>
  send(`${base}${c.path.replace(':id', () => encodeURIComponent(clientId))}`, {
    method: c.method,
    headers: c.headers,
    body: c.body,
  });

const preflight = (path: string, origin: string, method = 'POST'): Call => ({
  method: 'OPTIONS',
  path,
  headers: {
    origin,
    'access-control-request-method': method,
    'access-control-request-headers': 'content-type',
    'access-control-request-private-network': 'true',
  },
});

/** Nothing a refused request could have changed has changed. */
function expectUnchanged() {
  expect(server.store.clients.map((c) => c.client_id)).toEqual([clientId]);
  expect(server.plan.list()).toHaveLength(0);
}

describe('the control plane and json-server routes refuse other sites', () => {
  it.each<{ name: string; call: Call; why: RegExp }>([
    {
      name: 'GET /__dcr/clients from another site',
      call: { method: 'GET', path: '/__dcr/clients', headers: { origin: EVIL } },
      why: /^Origin must be a loopback origin .* or one given by --cors-origin, got "https:\/\/evil\.example"$/,
    },
    {
      name: "json-server's GET /clients from another site",
      call: { method: 'GET', path: '/clients', headers: { origin: EVIL } },
      why: /^Origin must be/,
    },
    {
      name: 'a text/plain POST /__dcr/reset, which needs no preflight',
      call: { method: 'POST', path: '/__dcr/reset', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: '' },
      why: /^Origin must be/,
    },
    {
      name: 'a text/plain POST /__dcr/failures',
      call: {
        method: 'POST',
        path: '/__dcr/failures',
        headers: { origin: EVIL, 'content-type': 'text/plain' },
        body: 'server_error',
      },
      why: /^Origin must be/,
    },
    {
      name: 'DELETE /clients/:id',
      call: { method: 'DELETE', path: '/clients/:id', headers: { origin: EVIL } },
      why: /^Origin must be/,
    },
    {
      name: 'a sandboxed page (Origin: null)',
      call: { method: 'GET', path: '/__dcr/clients', headers: { origin: 'null' } },
      why: /^Origin must be .*, got "null"$/,
    },
    {
      name: 'a name rebound to 127.0.0.1 (DNS rebinding), same-origin for the page',
      call: {
        method: 'GET',
        path: '/__dcr/clients',
        headers: { host: 'evil.example:4000', origin: 'http://evil.example:4000' },
      },
      why: /^Host must be a loopback name \(localhost, 127\.0\.0\.1, \[::1\]\) or the issuer's host \(127\.0\.0\.1\), got "evil\.example:4000"; .*set --issuer/,
    },
    {
      name: 'a rebound name without an Origin',
      call: { method: 'POST', path: '/__dcr/reset', headers: { host: 'evil.example' } },
      why: /^Host must be/,
    },
    {
      name: 'Host 0.0.0.0',
      call: { method: 'GET', path: '/clients', headers: { host: '0.0.0.0' } },
      why: /^Host must be/,
    },
  ])('$name: 403, no CORS header, nothing changed', async ({ call: c, why }) => {
    const reply = await call(c);
    expect(reply.status, reply.text).toBe(403);
    expect(JSON.parse(reply.text)).toEqual({ error: 'forbidden', error_description: expect.stringMatching(why) });
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    expectUnchanged();
  });

  it.each(['/__dcr/failures', '/clients', '/clients/:id'])(
    'a preflight from another site for %s: 403, no CORS headers, no private network access',
    async (path) => {
      const reply = await call(preflight(path, EVIL));
      expect(reply.status).toBe(403);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expect(reply.headers['access-control-allow-private-network']).toBeUndefined();
      expect(reply.headers['access-control-allow-methods']).toBeUndefined();
    },
  );
});

describe('loopback pages, the inspector and clients without an Origin keep the control plane', () => {
  it.each<{ name: string; call: Call; status: number }>([
    {
      name: 'GET from a loopback page',
      call: { method: 'GET', path: '/__dcr/clients', headers: { origin: DEV } },
      status: 200,
    },
    {
      name: "json-server's GET from a loopback page",
      call: { method: 'GET', path: '/clients', headers: { origin: 'http://127.0.0.1:3000' } },
      status: 200,
    },
    {
      name: 'a JSON POST from a loopback page',
      call: {
        method: 'POST',
        path: '/__dcr/failures',
        headers: { origin: 'http://[::1]:8080', 'content-type': 'application/json' },
        body: '"server_error"',
      },
      status: 201,
    },
    {
      name: 'a text/plain spec from curl (no Origin)',
      call: {
        method: 'POST',
        path: '/__dcr/failures',
        headers: { 'content-type': 'text/plain' },
        body: 'server_error',
      },
      status: 201,
    },
    {
      name: 'Host localhost',
      call: { method: 'GET', path: '/__dcr/health', headers: { host: 'localhost' } },
      status: 200,
    },
    {
      name: 'Host [::1]',
      call: { method: 'GET', path: '/__dcr/health', headers: { host: '[::1]:4000' } },
      status: 200,
    },
    {
      name: 'Host 127.0.0.2',
      call: { method: 'GET', path: '/__dcr/health', headers: { host: '127.0.0.2:4000' } },
      status: 200,
    },
    {
      name: 'Host app.localhost',
      call: { method: 'GET', path: '/clients', headers: { host: 'app.localhost:4000' } },
      status: 200,
    },
  ])('$name: $status', async ({ call: c, status }) => {
    const reply = await call(c);
    expect(reply.status, reply.text).toBe(status);
    const origin = c.headers?.['origin'];
    if (origin !== undefined) expect(reply.headers['access-control-allow-origin']).toBe(origin);
  });

  it("the inspector's POST /__dcr/reset (its own origin, no content type): 204", async () => {
    const origin = `http://127.0.0.1:${port}`;
    const reply = await call({ method: 'POST', path: '/__dcr/reset', headers: { origin } });
    expect(reply.status, reply.text).toBe(204);
    expect(server.store.clients).toHaveLength(0);
  });

  it('a preflight from a loopback page is answered, with private network access when asked', async () => {
    const reply = await call(preflight('/__dcr/failures', DEV));
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(DEV);
    expect(reply.headers['access-control-allow-private-network']).toBe('true');
  });

  it.each<{ name: string; headers: Record<string, string>; body: string | undefined; got: string }>([
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, body: 'server_error', got: '"text/plain"' },
    {
      name: 'a form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
      got: '"application/x-www-form-urlencoded"',
    },
    { name: 'no content type', headers: {}, body: undefined, got: 'null' },
  ])(
    'a POST from a loopback page with $name: 415, so that a browser must preflight it',
    async ({ headers, body, got }) => {
      const path = body === undefined ? '/__dcr/reset' : '/__dcr/failures';
      const reply = await call({
        method: 'POST',
        path,
        headers: { origin: DEV, ...headers },
        ...(body ? { body } : {}),
      });
      expect(reply.status).toBe(415);
      expect(JSON.parse(reply.text)).toEqual({
        error: 'invalid_request',
        error_description: `content-type must be application/json on a POST from another origin (${DEV}), got ${got}`,
      });
      expectUnchanged();
    },
  );
});

describe('registration and discovery stay open to every site, as Auth0 is', () => {
  it.each<{ name: string; call: Call; status: number }>([
    {
      name: 'a registration from another site',
      call: {
        method: 'POST',
        path: '/oidc/register',
        headers: { origin: EVIL, 'content-type': 'application/json' },
        body: JSON.stringify(CLIENT),
      },
      status: 201,
    },
    {
      name: 'a text/plain registration from another site',
      call: {
        method: 'POST',
        path: '/oidc/register',
        headers: { origin: EVIL, 'content-type': 'text/plain' },
        body: JSON.stringify(CLIENT),
      },
      status: 201,
    },
    {
      name: 'discovery from another site',
      call: { method: 'GET', path: '/.well-known/openid-configuration', headers: { origin: EVIL } },
      status: 200,
    },
    {
      name: 'discovery under any Host',
      call: { method: 'GET', path: '/.well-known/openid-configuration', headers: { host: 'evil.example' } },
      status: 200,
    },
    {
      name: 'the inspector page under any Host',
      call: { method: 'GET', path: '/', headers: { host: 'evil.example' } },
      status: 200,
    },
  ])('$name: $status', async ({ call: c, status }) => {
    const reply = await call(c);
    expect(reply.status, reply.text).toBe(status);
    if (c.headers?.['origin']) expect(reply.headers['access-control-allow-origin']).toBe(c.headers['origin']);
  });

  it('a preflight from another site for registration grants private network access, as before', async () => {
    const reply = await call(preflight('/oidc/register', EVIL));
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(EVIL);
    expect(reply.headers['access-control-allow-private-network']).toBe('true');
  });
});

describe('--issuer and --cors-origin', () => {
  let other: RunningServer;
  beforeAll(async () => {
    other = await start({
      issuer: 'http://dcr-mock.test:4000/',
      corsOrigin: 'https://app.example.com, http://10.0.0.5:8080/',
    });
  });
  afterAll(() => other.close());

  it.each<{ name: string; headers: Record<string, string>; status: number }>([
    { name: "the issuer's host", headers: { host: 'dcr-mock.test:4000' }, status: 200 },
    { name: 'another host', headers: { host: 'other.test:4000' }, status: 403 },
    { name: 'an origin given by --cors-origin', headers: { origin: 'https://app.example.com' }, status: 200 },
    { name: 'the other one', headers: { origin: 'http://10.0.0.5:8080' }, status: 200 },
    { name: 'the same host on another port', headers: { origin: 'https://app.example.com:8443' }, status: 403 },
    { name: 'a loopback origin, still', headers: { origin: DEV }, status: 200 },
  ])('$name: $status', async ({ headers, status }) => {
    const reply = await call({ method: 'GET', path: '/__dcr/clients', headers }, other.url);
    expect(reply.status, reply.text).toBe(status);
    if (status === 200 && headers['origin'])
      expect(reply.headers['access-control-allow-origin']).toBe(headers['origin']);
  });

  it('a preflight from an origin given by --cors-origin gets private network access', async () => {
    const reply = await call(preflight('/__dcr/failures', 'https://app.example.com'), other.url);
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-private-network']).toBe('true');
  });

  it('--cors-origin takes origins only, and normalises them', () => {
    expect(resolveConfig({ corsOrigin: ['HTTPS://App.Example.com:443/', 'http://a.test:80'] }).corsOrigin).toEqual([
      'https://app.example.com',
      'http://a.test',
    ]);
    for (const bad of [
      'https://app.example.com/path',
      'ftp://a.test',
      '*',
      'app.example.com',
      'https://a.test/?x=1',
      'null',
    ]) {
      expect(() => resolveConfig({ corsOrigin: bad })).toThrow(StartupError);
      expect(() => resolveConfig({ corsOrigin: bad })).toThrow(
        /--cors-origin must be an origin such as https:\/\/app\.example\.com/,
      );
    }
  });
});
