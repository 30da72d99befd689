import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantOfPath } from '../../src/http/tenant-path.js';
import { startDcrMock } from '../../src/index.js';
import type { RunningServer } from '../../src/server.js';
import { checkTenants, tenantDb } from '../../src/tenants.js';
import { start, tempDir } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const API = 'https://api.example.com/';

describe('tenantOfPath', () => {
  it.each([
    ['/t/a/authorize', 'a'],
    ['/t/a', 'a'],
    ['/t/', ''],
    ['/.well-known/openid-configuration/t/a', 'a'],
    ['/.well-known/oauth-authorization-server/t/b', 'b'],
    ['/.well-known/oauth-protected-resource/t/a/mcp', 'a'],
    ['/authorize', undefined],
    ['/t', undefined],
    ['/.well-known/openid-configuration', undefined],
    ['/tenants/a', undefined],
  ])('%s → %s', (path, tenant) => {
    expect(tenantOfPath(path)).toBe(tenant);
  });
});

describe('tenant names', () => {
  it('takes names, a,b for several, and refuses bad and repeated ones', () => {
    expect(checkTenants(['a', 'b,c-1'])).toEqual(['a', 'b', 'c-1']);
    expect(() => checkTenants(['A'])).toThrow(/--tenant must be a name of lowercase letters.*got "A"/);
    expect(() => checkTenants(['a/b'])).toThrow(/got "a\/b"/);
    expect(() => checkTenants(['a', 'a'])).toThrow(/--tenant a is given twice/);
  });

  it.each([
    ['./db.json', './db.a.json'],
    ['/x/clients', '/x/clients.a'],
    [':memory:', ':memory:'],
  ])('%s → %s', (db, file) => {
    expect(tenantDb(db, 'a')).toBe(file);
  });
});

/** Registers a public client at `issuer`, logs in through /authorize (auto mode) and redeems the code. */
async function login(issuer: string, extra: Record<string, string> = { audience: API }) {
  const config = await openid.dynamicClientRegistration(
    new URL(issuer),
    { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
    openid.None(),
    { execute: [openid.allowInsecureRequests] },
  );
  expect(config.serverMetadata().issuer).toBe(issuer);
  const verifier = openid.randomPKCECodeVerifier();
  const url = openid.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    code_challenge: await openid.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
  const tokens = await openid.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
  return { clientId: config.clientMetadata().client_id, tokens };
}

const jwksOf = (issuer: string) => createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));

describe('two tenants and the default issuer on one server', () => {
  let server: RunningServer;
  const issuers: Record<string, string> = {};

  beforeAll(async () => {
    server = await start({ tenant: 'a', tenants: ['b'] });
    issuers['default'] = server.issuer;
    for (const [name, tenant] of server.tenants) issuers[name] = tenant.issuer;
  });
  afterAll(() => server.close());

  it('each tenant is an issuer at /t/NAME/, its metadata at every URL a client tries', async () => {
    expect([...server.tenants.keys()]).toEqual(['a', 'b']);
    expect(issuers['a']).toBe(`${server.url}/t/a/`);
    for (const name of ['a', 'b']) {
      for (const path of [
        `/.well-known/oauth-authorization-server/t/${name}`,
        `/.well-known/openid-configuration/t/${name}`,
        `/t/${name}/.well-known/openid-configuration`,
      ]) {
        const metadata = await (await fetch(`${server.url}${path}`)).json();
        expect(metadata.issuer, path).toBe(issuers[name]);
        expect(metadata.jwks_uri, path).toBe(`${issuers[name]}.well-known/jwks.json`);
      }
      const prm = await (await fetch(`${server.url}/.well-known/oauth-protected-resource/t/${name}/mcp`)).json();
      expect(prm).toMatchObject({ resource: `${issuers[name]}mcp`, authorization_servers: [issuers[name]] });
    }
  });

  it.each(['default', 'a', 'b'])(
    '%s: openid-client registers and logs in; its tokens verify against its JWKS only',
    async (name) => {
      const issuer = issuers[name]!;
      const { tokens } = await login(issuer);
      const { payload } = await jwtVerify(tokens.access_token, jwksOf(issuer), { issuer, audience: API });
      expect(payload.iss).toBe(issuer);
      for (const other of Object.keys(issuers).filter((n) => n !== name)) {
        await expect(jwtVerify(tokens.access_token, jwksOf(issuers[other]!)), other).rejects.toThrow(
          /no applicable key found/,
        );
      }
    },
  );

  it('the JWKS differ; the default issuer keeps the keys and credentials of a server without tenants', async () => {
    const kids = async (issuer: string) =>
      ((await (await fetch(`${issuer}.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );
    const [root, a, b] = await Promise.all([kids(issuers['default']!), kids(issuers['a']!), kids(issuers['b']!)]);
    expect(new Set([...root, ...a, ...b]).size).toBe(root.length + a.length + b.length);
    const plain = await start();
    try {
      const text = async (s: { issuer: string }) => (await fetch(`${s.issuer}.well-known/jwks.json`)).text();
      expect(await text(server)).toBe(await text(plain));
      const fresh = await start({ tenants: ['a'] });
      try {
        const first = async (s: { registrationEndpoint: string }) =>
          (
            await fetch(s.registrationEndpoint, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ redirect_uris: [REDIRECT] }),
            })
          ).json();
        const [withTenants, without] = await Promise.all([first(fresh), first(plain)]);
        expect(withTenants.client_id).toBe(without.client_id);
        expect(withTenants.client_secret).toBe(without.client_secret);
      } finally {
        await fresh.close();
      }
    } finally {
      await plain.close();
    }
  });

  it('a client registered at one tenant is unknown at the other and at the default issuer', async () => {
    const { clientId } = await login(issuers['a']!);
    expect(server.tenants.get('a')!.store.get(clientId)).toBeDefined();
    expect(server.tenants.get('b')!.store.get(clientId)).toBeUndefined();
    expect(server.store.get(clientId)).toBeUndefined();
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code' });
    for (const issuer of [issuers['b']!, issuers['default']!]) {
      const res = await fetch(`${issuer}authorize?${query}`, { redirect: 'manual' });
      expect(res.status, issuer).toBe(400);
      expect(await res.text()).toMatch(/client/i);
    }
    const listed = async (issuer: string) =>
      ((await (await fetch(`${issuer}__dcr/clients`)).json()) as { client_id: string }[]).map((c) => c.client_id);
    expect(await listed(issuers['a']!)).toContain(clientId);
    expect(await listed(issuers['b']!)).not.toContain(clientId);
  });

  it('each tenant draws its own credentials: the first clients of two fresh tenants differ', async () => {
    const fresh = await start({ tenants: ['a', 'b'] });
    try {
      const ids = [];
      for (const tenant of fresh.tenants.values()) {
        const res = await fetch(tenant.registrationEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: [REDIRECT] }),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { client_id: string }).client_id);
      }
      expect(ids[0]).not.toBe(ids[1]);
    } finally {
      await fresh.close();
    }
  });

  it("a failure rule on tenant a, through its control plane or a header, does not touch tenant b's", async () => {
    const register = (issuer: string, headers: Record<string, string> = {}) =>
      fetch(`${issuer}oidc/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ redirect_uris: [REDIRECT] }),
      });
    const added = await fetch(`${issuers['a']}__dcr/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify('server_error:times=2'),
    });
    expect(added.status).toBe(201);
    expect((await register(issuers['b']!)).status).toBe(201);
    expect((await register(issuers['default']!)).status).toBe(201);
    expect((await register(issuers['a']!)).status).toBe(500);
    const rules = async (issuer: string) =>
      ((await (await fetch(`${issuer}__dcr/failures`)).json()) as { rules: unknown[] }).rules;
    expect(await rules(issuers['b']!)).toEqual([]);
    expect(await rules(issuers['default']!)).toEqual([]);
    expect(await rules(issuers['a']!)).toHaveLength(1);
    await fetch(`${issuers['a']}__dcr/failures`, { method: 'DELETE' });

    // A rule sent with a request applies to that request, and the journal of its tenant alone shows it.
    expect((await register(issuers['b']!, { 'x-dcr-mock-fail': 'rate_limited' })).status).toBe(429);
    const failed = (journal: { list(): { failure?: string }[] }) => journal.list().filter((e) => e.failure).length;
    expect(failed(server.tenants.get('b')!.journal)).toBe(1);
    expect(failed(server.journal)).toBe(0);
  });

  it('each tenant has its own clock', async () => {
    const before = server.clock.now().getTime();
    const moved = await fetch(`${issuers['a']}__dcr/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: 3600 }),
    });
    expect(moved.status).toBe(200);
    expect(server.tenants.get('a')!.clock.now().getTime() - before).toBeGreaterThanOrEqual(3600_000);
    expect(server.tenants.get('b')!.clock.now().getTime() - before).toBeLessThan(3600_000);
    expect(server.clock.now().getTime() - before).toBeLessThan(3600_000);
  });

  it('the MCP SDK connects to /t/a/mcp through DCR; a token of tenant a is invalid_token at b', async () => {
    const url = new URL(`${issuers['a']}mcp`);
    let code = '';
    let verifier = '';
    let info: unknown;
    let saved: { access_token: string } | undefined;
    const provider = {
      redirectUrl: REDIRECT,
      clientMetadata: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      clientInformation: () => info,
      saveClientInformation: (i: unknown) => {
        info = i;
      },
      tokens: () => saved,
      saveTokens: (t: { access_token: string }) => {
        saved = t;
      },
      redirectToAuthorization: async (authorization: URL) => {
        expect(authorization.pathname).toBe('/t/a/authorize');
        const location = (await fetch(authorization, { redirect: 'manual' })).headers.get('location')!;
        code = new URL(location).searchParams.get('code')!;
      },
      saveCodeVerifier: (v: string) => {
        verifier = v;
      },
      codeVerifier: () => verifier,
    } as never;
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toThrow(/Unauthorized/);
    await transport.finishAuth(code);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['admin_echo', 'echo', 'whoami']);
    } finally {
      await client.close();
    }
    // The SDK registered its client at tenant a.
    const registered = (info as { client_id: string }).client_id;
    expect(server.tenants.get('a')!.store.get(registered)).toBeDefined();
    expect(server.store.get(registered)).toBeUndefined();
    const initialize = (at: string) =>
      fetch(at, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${saved!.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }),
      });
    expect((await initialize(`${issuers['a']}mcp`)).status).toBe(200);
    for (const other of [issuers['b']!, issuers['default']!]) {
      const refused = await initialize(`${other}mcp`);
      expect(refused.status, other).toBe(401);
      expect(refused.headers.get('www-authenticate'), other).toMatch(/error="invalid_token"/);
      expect(refused.headers.get('www-authenticate'), other).toContain(
        `${new URL(other).origin}/.well-known/oauth-protected-resource${new URL(other).pathname}mcp`,
      );
    }
  });

  it('an unknown tenant is a 404 that names the tenants there are and what to pass', async () => {
    for (const path of ['/t/zz/.well-known/openid-configuration', '/.well-known/openid-configuration/t/zz', '/t/']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      const body = await res.json();
      expect(body, path).toMatchObject({ error: 'unknown_tenant', tenants: ['a', 'b'] });
      expect(body.error_description, path).toMatch(/--tenant /);
    }
  });
});

describe("a tenant's log lines, journal and reset", () => {
  it('the log shows the path as sent, the journal the tenant’s; /t/a/__dcr/reset resets tenant a alone', async () => {
    const lines: string[] = [];
    const server = await start({ quiet: false, tenants: ['a'] }, { write: (line) => lines.push(line) });
    try {
      const a = server.tenants.get('a')!;
      for (const s of [server, a]) {
        const res = await fetch(s.registrationEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: [REDIRECT] }),
        });
        expect(res.status).toBe(201);
      }
      await expect.poll(() => lines.length).toBe(2);
      expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
        'POST /oidc/register 201',
        'POST /t/a/oidc/register 201',
      ]);
      expect(a.journal.list().map((e) => e.path)).toEqual(['/oidc/register']);
      expect(server.journal.list().map((e) => e.path)).toEqual(['/oidc/register']);

      expect((await fetch(`${a.issuer}__dcr/reset`, { method: 'POST' })).status).toBe(204);
      expect(a.store.clients).toHaveLength(0);
      expect(server.store.clients).toHaveLength(1);
      // The default issuer's reset is the whole server's.
      await fetch(`${a.issuer}oidc/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [REDIRECT] }),
      });
      expect((await fetch(`${server.issuer}__dcr/reset`, { method: 'POST' })).status).toBe(204);
      expect([server.store.clients.length, a.store.clients.length]).toEqual([0, 0]);
    } finally {
      await server.close();
    }
  });
});

describe('without tenants', () => {
  it('/t/… is json-server’s, as before', async () => {
    const server = await start();
    try {
      expect(server.tenants.size).toBe(0);
      const res = await fetch(`${server.url}/t/a/.well-known/openid-configuration`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/unknown_tenant/);
    } finally {
      await server.close();
    }
  });
});

describe('a tenant with a db file', () => {
  const dir = tempDir();

  it('keeps its clients in db.NAME.json across a restart, apart from the default issuer’s', async () => {
    const db = join(dir, 'db.json');
    const first = await start({ db, tenants: ['a'] });
    const res = await fetch(first.tenants.get('a')!.registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'kept' }),
    });
    const { client_id } = (await res.json()) as { client_id: string };
    await first.close();
    expect(existsSync(join(dir, 'db.a.json'))).toBe(true);

    const second = await start({ db, tenants: ['a'] });
    try {
      expect(second.tenants.get('a')!.store.get(client_id)?.client_name).toBe('kept');
      expect(second.store.get(client_id)).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});

describe('startDcrMock with tenants', () => {
  it('mock.tenant(name) has the members of the default issuer; reset() resets the tenants too', async () => {
    const mock = await startDcrMock({ tenants: ['a'], login: 'login' });
    try {
      expect(mock.tenants).toEqual(['a']);
      const a = mock.tenant('a');
      expect(a.issuer).toBe(`${mock.url}/t/a/`);
      expect(a.registrationEndpoint).toBe(`${mock.url}/t/a/oidc/register`);
      const res = await fetch(a.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
      });
      const { client_id } = (await res.json()) as { client_id: string };
      expect(a.clients().map((c) => c.client_id)).toEqual([client_id]);
      expect(mock.clients()).toEqual([]);
      // The login page of a tenant posts under its path; the headless player follows it there.
      const url = `${a.issuer}authorize?${new URLSearchParams({
        client_id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`;
      const page = await (await fetch(url)).text();
      expect(page).toContain('action="/t/a/u/login"');
      const redirected = new URL(await a.authorize(url));
      expect(redirected.searchParams.get('code')).toBeTruthy();
      expect(a.grants().codes).toHaveLength(1);
      expect(mock.grants().codes).toHaveLength(0);
      a.fail('server_error');
      expect(mock.tenant('a').requests().length).toBeGreaterThan(0);
      await mock.reset();
      expect(a.clients()).toEqual([]);
      expect(a.grants().codes).toHaveLength(0);
      expect(() => mock.tenant('zz')).toThrow(/Failed to find the tenant "zz": this server's tenants are a/);
    } finally {
      await mock.close();
    }
  });
});
