import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { headerList, postRaw } from '../support/http.js';
import { register, start } from '../support/server.js';

const CB = 'http://localhost:5173/callback';
const TPC_ID = /^tpc_[A-Za-z0-9]{32}$/;
const PLAIN_ID = /^[A-Za-z0-9]{32}$/;
const SECRET = /^[A-Za-z0-9_-]{64}$/;

type Profile = 'auth0' | 'auth0-permissive';

interface ShapeCase {
  name: string;
  profile: Profile;
  body: Record<string, unknown>;
  /** The response body apart from the credentials. */
  expected: { client_name: string; redirect_uris: string[]; grant_types: string[]; token_endpoint_auth_method: string };
  secret: boolean;
}

const DEFAULTS = {
  client_name: 'My App',
  redirect_uris: [CB],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'client_secret_post',
};

const SHAPES: ShapeCase[] = [
  { name: 'defaults', profile: 'auth0', body: { redirect_uris: [CB] }, expected: DEFAULTS, secret: true },
  {
    name: 'client_name and several redirect_uris echoed in order',
    profile: 'auth0',
    body: { client_name: 'Storefront', redirect_uris: ['https://shop.example.com/cb', CB, 'com.example.app:/oauth'] },
    expected: {
      ...DEFAULTS,
      client_name: 'Storefront',
      redirect_uris: ['https://shop.example.com/cb', CB, 'com.example.app:/oauth'],
    },
    secret: true,
  },
  {
    name: 'grant_types filtered to authorization_code and refresh_token',
    profile: 'auth0',
    body: {
      redirect_uris: [CB],
      grant_types: ['client_credentials', 'refresh_token', 'implicit', 'authorization_code'],
    },
    expected: { ...DEFAULTS, grant_types: ['refresh_token', 'authorization_code'] },
    secret: true,
  },
  {
    name: 'grant_types asked twice appear once, in the order first asked',
    profile: 'auth0',
    body: { redirect_uris: [CB], grant_types: ['refresh_token', 'authorization_code', 'refresh_token'] },
    expected: { ...DEFAULTS, grant_types: ['refresh_token', 'authorization_code'] },
    secret: true,
  },
  {
    name: 'grant_types with nothing left after filtering fall back to the default',
    profile: 'auth0',
    body: { redirect_uris: [CB], grant_types: ['client_credentials', 'password'] },
    expected: DEFAULTS,
    secret: true,
  },
  {
    name: 'token_endpoint_auth_method none: no secret',
    profile: 'auth0',
    body: { redirect_uris: [CB], token_endpoint_auth_method: 'none' },
    expected: { ...DEFAULTS, token_endpoint_auth_method: 'none' },
    secret: false,
  },
  {
    name: 'token_endpoint_auth_method client_secret_basic kept',
    profile: 'auth0',
    body: { redirect_uris: [CB], token_endpoint_auth_method: 'client_secret_basic' },
    expected: { ...DEFAULTS, token_endpoint_auth_method: 'client_secret_basic' },
    secret: true,
  },
  {
    name: 'unknown fields ignored, client-chosen credentials too',
    profile: 'auth0',
    body: {
      redirect_uris: [CB],
      client_id: 'mine',
      client_secret: 'mine',
      client_secret_expires_at: 9,
      extra: { a: 1 },
    },
    expected: DEFAULTS,
    secret: true,
  },
  {
    name: 'other known metadata accepted but not echoed',
    profile: 'auth0',
    body: {
      redirect_uris: [CB],
      application_type: 'native',
      response_types: ['code'],
      client_uri: 'https://example.com',
      logo_uri: 'https://example.com/logo.png',
      contacts: ['ops@example.com'],
      scope: 'openid profile',
      software_id: 'e2e',
      software_version: '1.2.3',
    },
    expected: DEFAULTS,
    secret: true,
  },
  {
    name: 'null client_name counts as absent',
    profile: 'auth0',
    body: { redirect_uris: [CB], client_name: null },
    expected: DEFAULTS,
    secret: true,
  },
  {
    name: 'permissive defaults',
    profile: 'auth0-permissive',
    body: { redirect_uris: [CB] },
    expected: DEFAULTS,
    secret: true,
  },
  {
    name: 'permissive keeps every grant type',
    profile: 'auth0-permissive',
    body: { redirect_uris: [CB], grant_types: ['authorization_code', 'client_credentials', 'implicit'] },
    expected: { ...DEFAULTS, grant_types: ['authorization_code', 'client_credentials', 'implicit'] },
    secret: true,
  },
  {
    name: 'permissive none: no secret',
    profile: 'auth0-permissive',
    body: { redirect_uris: [CB], token_endpoint_auth_method: 'none' },
    expected: { ...DEFAULTS, token_endpoint_auth_method: 'none' },
    secret: false,
  },
];

/** The whole expected 201 body, keys in the order Auth0 sends them. */
function fullBody(row: ShapeCase): Record<string, unknown> {
  const { client_name, redirect_uris, grant_types, token_endpoint_auth_method } = row.expected;
  return {
    client_name,
    client_id: expect.stringMatching(row.profile === 'auth0' ? TPC_ID : PLAIN_ID),
    ...(row.secret ? { client_secret: expect.stringMatching(SECRET), client_secret_expires_at: 0 } : {}),
    redirect_uris,
    grant_types,
    token_endpoint_auth_method,
  };
}

describe('POST /oidc/register: a successful registration', () => {
  const servers = {} as Record<Profile, RunningServer>;
  beforeAll(async () => {
    servers.auth0 = await start({ profile: 'auth0' });
    servers['auth0-permissive'] = await start({ profile: 'auth0-permissive' });
  });
  afterAll(() => Promise.all(Object.values(servers).map((s) => s.close())));

  it.each(SHAPES)('$profile: $name', async (row) => {
    const res = await register(servers[row.profile], row.body);
    expect(res.status, res.text).toBe(201);
    const expected = fullBody(row);
    expect(res.json).toEqual(expected);
    expect(Object.keys(res.json)).toEqual(Object.keys(expected));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('content-type')).toMatch(/^application\/json\b/);
  });

  it('stores what it answered', async () => {
    const res = await register(servers.auth0, { client_name: 'Stored', redirect_uris: [CB] });
    const id = res.json['client_id'] as string;
    expect(servers.auth0.store.get(id)).toMatchObject(res.json);
  });
});

describe('CORS', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it.each([
    { name: 'a 201', body: { redirect_uris: [CB] }, status: 201 },
    { name: 'a 400', body: { redirect_uris: ['/relative'] }, status: 400 },
  ])('$name carries Access-Control-Allow-Origin', async ({ body, status }) => {
    const origin = 'http://localhost:5173';
    const res = await register(server, body, { origin });
    expect(res.status).toBe(status);
    expect([origin, '*']).toContain(res.headers.get('access-control-allow-origin'));
  });

  it.each(['x-dcr-mock-fail', 'authorization', 'content-type, authorization, x-dcr-mock-fail'])(
    'a preflight asking for %s is allowed',
    async (requested) => {
      const origin = 'http://localhost:5173';
      const res = await fetch(server.registrationEndpoint, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requested },
      });
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
      expect([origin, '*']).toContain(res.headers.get('access-control-allow-origin'));
      expect(headerList(res.headers.get('access-control-allow-methods'))).toContain('post');
      const allowed = headerList(res.headers.get('access-control-allow-headers'));
      for (const header of headerList(requested)) expect(allowed).toContain(header);
    },
  );
});

describe('deterministic credentials: a failed registration does not shift later ids', () => {
  const SEED = 'shift-check';
  const B = { client_name: 'B', redirect_uris: [CB] };
  const FAILURES = [
    {
      name: 'invalid_redirect_uri',
      body: JSON.stringify({ client_name: 'A', redirect_uris: ['/relative'] }),
      status: 400,
    },
    { name: 'invalid_client_metadata', body: JSON.stringify({ client_name: 42, redirect_uris: [CB] }), status: 400 },
    { name: 'malformed JSON', body: '{"client_name": "A",', status: 400 },
    {
      name: 'body over 64 KiB',
      body: JSON.stringify({ client_name: 'A'.repeat(70_000), redirect_uris: [CB] }),
      status: 413,
    },
  ];
  const fresh: string[] = [];

  beforeAll(async () => {
    const server = await start({ seed: SEED });
    try {
      for (const name of ['B', 'C']) fresh.push((await register(server, { ...B, client_name: name })).text);
    } finally {
      await server.close();
    }
  });

  it('the reference differs from one registration to the next', () => {
    const [b, c] = fresh.map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(b?.['client_id']).toMatch(TPC_ID);
    expect(c?.['client_id']).not.toBe(b?.['client_id']);
    expect(c?.['client_secret']).not.toBe(b?.['client_secret']);
  });

  it.each(FAILURES)('after a failed $name, B gets what it gets on a fresh server', async ({ body, status }) => {
    const server = await start({ seed: SEED });
    try {
      expect((await postRaw(server, body)).status).toBe(status);
      const res = await register(server, B);
      expect(res.status).toBe(201);
      expect(res.text).toBe(fresh[0]);
    } finally {
      await server.close();
    }
  });
});
