import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const VERIFIER = 'a'.repeat(43);
const PKCE = { code_challenge: s256(VERIFIER), code_challenge_method: 'S256' };

async function authorize(server: RunningServer, params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/authorize?${new URLSearchParams(params)}`, { redirect: 'manual', headers });
  const location = res.headers.get('location');
  return { status: res.status, location: location ? new URL(location) : undefined, text: await res.text(), res };
}

/** The query of a redirect, as an object. */
const query = (url: URL | undefined) => Object.fromEntries(url?.searchParams ?? []);

describe('GET /authorize', () => {
  let server: RunningServer;
  let clientId: string;

  beforeAll(async () => {
    server = await start({
      apis: ['https://api.example.com/:read:items write:items'],
      users: [{ email: 'ada@example.com', name: 'Ada' }],
    });
    const reply = await register(server, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
    clientId = reply.json.client_id as string;
  });
  afterAll(() => server.close());

  const base = () => ({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', state: 's1', ...PKCE });

  it('redirects at once with a code and the state (--login auto)', async () => {
    const { status, location } = await authorize(server, base());
    expect(status).toBe(302);
    expect(location!.origin + location!.pathname).toBe(REDIRECT);
    expect(query(location)).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), state: 's1' });
  });

  it('an unknown client or a redirect URI not registered is an error page, never a redirect', async () => {
    const unknown = await authorize(server, { ...base(), client_id: 'nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.location).toBeUndefined();
    expect(unknown.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(unknown.text).toContain('Unknown client: nobody');

    const wrong = await authorize(
      server,
      { ...base(), redirect_uri: `${REDIRECT}/other` },
      { accept: 'application/json' },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.location).toBeUndefined();
    expect(JSON.parse(wrong.text)).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('Callback URL mismatch'),
    });
  });

  it('other errors go back to the redirect URI with error, error_description and state', async () => {
    const cases: Array<[Record<string, string | undefined>, string, RegExp]> = [
      [{ response_type: 'token' }, 'unsupported_response_type', /response_type must be code/],
      [{ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request', /PKCE/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /plain/],
      [{ foo: 'bar' }, 'invalid_request', /Parameter foo is not allowed/],
      [{ scope: 'a"b' }, 'invalid_scope', /scope must be/],
      [
        { audience: 'https://unknown.example.com/' },
        'access_denied',
        /^Service not found: https:\/\/unknown\.example\.com\/$/,
      ],
      [{ login_hint: 'nobody@example.com' }, 'login_required', /names no user/],
    ];
    for (const [change, error, description] of cases) {
      const params: Record<string, string> = { ...base() };
      for (const [k, v] of Object.entries(change)) {
        if (v === undefined) delete params[k];
        else params[k] = v;
      }
      const { status, location } = await authorize(server, params);
      expect(status, JSON.stringify(change)).toBe(302);
      expect(query(location), JSON.stringify(change)).toEqual({
        error,
        error_description: expect.stringMatching(description),
        state: 's1',
      });
    }
  });

  it('drops scopes the API does not define, and login_hint picks the user', async () => {
    const { location } = await authorize(server, {
      ...base(),
      audience: 'https://api.example.com/',
      scope: 'read:items delete:items',
      login_hint: 'ada@example.com',
    });
    const [grant] = server.authorization.grants().codes.filter((c) => c.code === location!.searchParams.get('code'));
    expect(grant).toMatchObject({
      scope: ['read:items'],
      audience: 'https://api.example.com/',
      sub: server.authorization.users()[1]!.sub,
    });
  });

  it('resource names the API when audience is absent', async () => {
    const { location } = await authorize(server, { ...base(), resource: 'https://api.example.com/' });
    const code = location!.searchParams.get('code');
    expect(server.authorization.grants().codes.find((c) => c.code === code)).toMatchObject({
      audience: 'https://api.example.com/',
    });
  });

  it('a failure rule in the query redirects as the real error would, and issues no code', async () => {
    const before = server.authorization.grants().codes.length;
    const { status, location, res } = await authorize(server, { ...base(), __fail: 'authorize:access_denied' });
    expect(status).toBe(302);
    expect(res.headers.get('x-dcr-mock-failure')).toBe('access_denied');
    expect(query(location)).toMatchObject({ error: 'access_denied', state: 's1' });
    expect(server.authorization.grants().codes.length).toBe(before);
  });

  it('wrong_state and missing_state issue the code, so that a client that does not check them goes on', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['wrong_state', { state: 'wrong-state-from-dcr-mock' }],
      ['missing_state', {}],
    ];
    for (const [mode, expected] of cases) {
      const spoiled = await authorize(server, { ...base(), __fail: `authorize:${mode}` });
      expect(spoiled.res.headers.get('x-dcr-mock-failure')).toBe(mode);
      expect(query(spoiled.location)).toEqual({ code: expect.any(String), ...expected });
      const res = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: clientId,
          code: spoiled.location!.searchParams.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: VERIFIER,
        }),
      });
      expect(res.status, mode).toBe(200);
    }
  });
});

describe('GET /authorize with --login consent and --login login, --iss-param', () => {
  let server: RunningServer;
  let clientId: string;

  beforeAll(async () => {
    server = await start({ login: 'login', issParam: true, users: [{ email: 'ada@example.com' }] });
    clientId = (await register(server, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).json
      .client_id as string;
  });
  afterAll(() => server.close());

  it('shows the login page, and the user picked gets the code; iss is in the redirect and the metadata', async () => {
    const params = { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', state: 'x', ...PKCE };
    const page = await authorize(server, params);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Continue as ada@example.com');
    const transaction = /name="transaction" value="([^"]+)"/.exec(page.text)![1]!;
    const ada = server.authorization.users()[1]!;
    const res = await fetch(`${server.url}/u/login`, {
      method: 'POST',
      body: new URLSearchParams({ transaction, user: ada.sub }),
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(query(location)).toEqual({ code: expect.any(String), state: 'x', iss: server.issuer });
    expect(server.authorization.grants().codes.at(-1)).toMatchObject({ sub: ada.sub });
    // The page is answered once.
    const again = await fetch(`${server.url}/u/login`, {
      method: 'POST',
      body: new URLSearchParams({ transaction, user: ada.sub }),
      redirect: 'manual',
    });
    expect(again.status).toBe(400);
    const metadata = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('prompt=none when a page is needed is login_required', async () => {
    const { location } = await authorize(server, {
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      prompt: 'none',
      ...PKCE,
    });
    expect(query(location)).toMatchObject({ error: 'login_required', iss: server.issuer });
  });

  it('mock.authorize plays the pages headlessly: a user by email, then accept or decline', async () => {
    const url = `${server.issuer}authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', state: 'p', ...PKCE })}`;
    const location = new URL(await server.authorization.authorize(url, { user: 'ada@example.com' }));
    expect(query(location)).toMatchObject({ code: expect.any(String), state: 'p' });
  });
});

describe('GET /authorize with --login consent', () => {
  let server: RunningServer;
  let clientId: string;

  beforeAll(async () => {
    server = await start({ login: 'consent' });
    clientId = (await register(server, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).json
      .client_id as string;
  });
  afterAll(() => server.close());

  it('Accept issues a code, Decline sends access_denied (through POST /__dcr/authorize)', async () => {
    const url = `${server.issuer}authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', state: 'c', ...PKCE })}`;
    const play = async (decision: string) => {
      const res = await fetch(`${server.url}/__dcr/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, decision }),
      });
      expect(res.status).toBe(200);
      return query(new URL(((await res.json()) as { location: string }).location));
    };
    expect(await play('accept')).toMatchObject({ code: expect.any(String), state: 'c' });
    expect(await play('decline')).toEqual({
      error: 'access_denied',
      error_description: 'The user declined the request',
      state: 'c',
    });
  });
});

describe('the control plane of the authorization server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ seed: 'control' });
  });
  afterAll(() => server.close());

  it('lists users, rotates keys, revokes all, lists every endpoint in the catalogue, and reset forgets codes', async () => {
    const get = async (path: string) => (await fetch(`${server.url}/__dcr/${path}`)).json();
    const post = async (path: string) => (await fetch(`${server.url}/__dcr/${path}`, { method: 'POST' })).json();
    expect(await get('users')).toEqual([
      expect.objectContaining({ email: 'user@example.com', sub: expect.stringMatching(/^auth0\|/) }),
    ]);
    const before = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys.map(
      (k: { kid: string }) => k.kid,
    );
    const rotated = await post('keys/rotate');
    expect(rotated.kids).toEqual([rotated.kid, ...before]);
    const after = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(after).toEqual(rotated.kids);
    expect(await post('revoke-all')).toEqual({ revoked: 0 });
    const failures = await get('failures');
    expect(Object.keys(failures.endpoints)).toEqual([
      'registration',
      'authorize',
      'token',
      'revoke',
      'userinfo',
      'jwks',
      'discovery',
      'prm',
      'mcp',
    ]);
    expect(failures.endpoints.token.map((m: { mode: string }) => m.mode)).toContain('bad_signature');

    const clientId = (await register(server, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).json
      .client_id as string;
    await authorize(server, { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', ...PKCE });
    expect((await get('grants')).codes).toHaveLength(1);
    expect((await fetch(`${server.url}/__dcr/reset`, { method: 'POST' })).status).toBe(204);
    expect(await get('grants')).toEqual({ codes: [], refresh_tokens: [] });
    // The reset undoes the rotation too: the seed's first key signs again.
    expect(
      (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys.map((k: { kid: string }) => k.kid),
    ).toEqual(before);
  });
});

describe('GET /__dcr/tokens and /__dcr/grants', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ seed: 'control-views' });
  });
  afterAll(() => server.close());

  /** A registered public client logs in (--login auto) and redeems its code. */
  async function logIn(clientId: string): Promise<Record<string, string>> {
    const { location } = await authorize(server, {
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'offline_access',
      audience: 'https://api.example.com/',
      ...PKCE,
    });
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: location!.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      }),
    });
    expect(res.status).toBe(200);
    return res.json();
  }

  it('lists the tokens oldest first with their header and claims, the last N with ?limit; families with their state', async () => {
    const get = async (path: string) => (await fetch(`${server.url}/__dcr/${path}`)).json();
    const clientId = (
      await register(server, {
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      })
    ).json.client_id as string;
    const first = await logIn(clientId);
    const second = await logIn(clientId);

    const tokens = await get('tokens');
    expect(tokens.map((t: { token: string }) => t.token)).toEqual([first['access_token'], second['access_token']]);
    expect(tokens[0]).toMatchObject({
      n: 1,
      kind: 'access_token',
      client_id: clientId,
      grant_type: 'authorization_code',
      format: 'jwt',
      header: { alg: 'RS256', typ: 'JWT', kid: expect.any(String) },
      claims: { aud: 'https://api.example.com/', azp: clientId, scope: 'offline_access' },
    });
    expect((await get('tokens?limit=1')).map((t: { n: number }) => t.n)).toEqual([2]);
    expect((await get('tokens?limit=5')).map((t: { n: number }) => t.n)).toEqual([1, 2]);
    expect((await get('tokens?limit=nope')).map((t: { n: number }) => t.n)).toEqual([1, 2]);

    const { refresh_tokens: live } = await get('grants');
    expect(live.map((f: { state: string }) => f.state)).toEqual(['live', 'live']);
    // Auth0's idle lifetime (15 days) ends first.
    expect(live[0].expires_at).toBe(live[0].issued_at + 1_296_000);
    await fetch(`${server.url}/__dcr/revoke-all`, { method: 'POST' });
    const { refresh_tokens: revoked } = await get('grants');
    expect(revoked).toMatchObject([
      { state: 'revoked', revoked_reason: 'revoked' },
      { state: 'revoked', revoked_reason: 'revoked' },
    ]);
  });

  it('revoke-all answers how many live families it revoked, leaving those past their lifetime as expired', async () => {
    const get = async (path: string) => (await fetch(`${server.url}/__dcr/${path}`)).json();
    const clientId = (
      await register(server, {
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      })
    ).json.client_id as string;
    const mine = async () =>
      (await get('grants')).refresh_tokens
        .filter((f: { client_id: string }) => f.client_id === clientId)
        .map((f: { state: string; revoked_reason: string | null }) => [f.state, f.revoked_reason]);
    try {
      await logIn(clientId);
      server.clock.advance(10 * 86_400);
      await logIn(clientId);
      // Auth0's idle lifetime is 15 days: the first family ends, the second has 9 days left.
      server.clock.advance(6 * 86_400);
      expect(await mine()).toEqual([
        ['expired', null],
        ['live', null],
      ]);
      const res = await fetch(`${server.url}/__dcr/revoke-all`, { method: 'POST' });
      expect(await res.json()).toEqual({ revoked: 1 });
      expect(await mine()).toEqual([
        ['expired', null],
        ['revoked', 'revoked'],
      ]);
      expect(await (await fetch(`${server.url}/__dcr/revoke-all`, { method: 'POST' })).json()).toEqual({ revoked: 0 });
    } finally {
      server.clock.reset();
    }
  });
});

describe.each(['auto', 'consent', 'login'] as const)('authorize(url, { user }) with --login %s', (login) => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    server = await start({ login, users: [{ email: 'ada@example.com' }, { email: 'grace@example.com' }] });
    const clientId = (await register(server, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).json
      .client_id as string;
    url = `${server.issuer}authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', ...PKCE })}`;
  });
  afterAll(() => server.close());

  const codeOwner = async (location: string) => {
    const code = new URL(location).searchParams.get('code');
    return server.authorization.grants().codes.find((grant) => grant.code === code)?.sub;
  };

  it.each([
    { user: undefined, who: 0 },
    { user: 'grace@example.com', who: 2 },
    { user: 'ADA@example.com', who: 1 },
  ])('logs in as $user (user $who)', async ({ user, who }) => {
    const location = await server.authorization.authorize(url, { user });
    expect(await codeOwner(location)).toBe(server.authorization.users()[who]?.sub);
  });

  it('takes a sub, and a user the URL names in login_hint already', async () => {
    const grace = server.authorization.users()[2]!;
    expect(await codeOwner(await server.authorization.authorize(url, { user: grace.sub }))).toBe(grace.sub);
    const hinted = `${url}&login_hint=grace%40example.com`;
    expect(await codeOwner(await server.authorization.authorize(hinted, { user: grace.sub }))).toBe(grace.sub);
  });

  it.each([
    {
      user: 'nobody@example.com',
      hint: undefined,
      error:
        /user must be the sub or email of one of this server's users \(user@example\.com, ada@example\.com, grace@example\.com\), got "nobody@example\.com"/,
    },
    {
      user: 'ada@example.com',
      hint: 'grace@example.com',
      error: /user must name the user the url's login_hint names, or be left out/,
    },
  ])('refuses $user (login_hint $hint), issuing no code', async ({ user, hint, error }) => {
    const before = server.authorization.grants().codes.length;
    const target = hint === undefined ? url : `${url}&login_hint=${encodeURIComponent(hint)}`;
    await expect(server.authorization.authorize(target, { user })).rejects.toThrow(error);
    expect(server.authorization.grants().codes).toHaveLength(before);
  });
});
