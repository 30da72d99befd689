import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, decodeJwt, exportJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import type { RunningServer } from '../../src/server.js';
import { start, tempDir } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const VERIFIER = 'm'.repeat(43);
const APP = {
  client_id: 'modes-app',
  client_secret: 'modes-app-secret-0000000000000000000000000000000000000000',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
};

async function tokens(server: RunningServer, fail?: string) {
  const query = new URLSearchParams({
    client_id: APP.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access',
    audience: 'https://api.example.com/',
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
  });
  const location = (await fetch(`${server.url}/authorize?${query}`, { redirect: 'manual' })).headers.get('location')!;
  const res = await fetch(`${server.url}/oauth/token${fail ? `?__fail=${fail}` : ''}`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: APP.client_id,
      client_secret: APP.client_secret,
      code: new URL(location).searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    }),
  });
  return {
    status: res.status,
    failure: res.headers.get('x-dcr-mock-failure'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

const json = async (server: RunningServer, path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return {
    status: res.status,
    failure: res.headers.get('x-dcr-mock-failure'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

describe("each endpoint's own failure modes, on the wire", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ fixtures: [APP] });
  });
  afterAll(() => server.close());

  it('token: errors in Auth0 statuses, and successes bent the way each mode says', async () => {
    for (const [mode, status, error] of [
      ['invalid_grant', 403, 'invalid_grant'],
      ['invalid_client', 401, 'invalid_client'],
      ['unauthorized_client', 403, 'unauthorized_client'],
      ['invalid_scope', 400, 'invalid_scope'],
      ['access_denied', 403, 'access_denied'],
    ] as const) {
      const got = await tokens(server, `token:${mode}`);
      expect([got.status, got.body['error'], got.failure], mode).toEqual([status, error, mode]);
    }
    expect((await tokens(server, 'token:missing_access_token')).body).not.toHaveProperty('access_token');
    expect((await tokens(server, 'token:no_refresh_token')).body).not.toHaveProperty('refresh_token');
    expect((await tokens(server, 'token:wrong_token_type')).body['token_type']).toBe('MAC');
    const expired = (await tokens(server, 'token:expired_token')).body;
    expect(decodeJwt(expired['access_token'] as string).exp).toBeLessThan(server.clock.now().getTime() / 1000);
    const audience = (await tokens(server, 'token:wrong_audience')).body;
    expect(decodeJwt(audience['access_token'] as string).aud).toEqual([
      'https://wrong-audience.dcr-mock.invalid/',
      `${server.issuer}userinfo`,
    ]);
    const jwks = createLocalJWKSet((await json(server, '/.well-known/jwks.json')).body as never);
    const bad = (await tokens(server, 'token:bad_signature')).body;
    await expect(jwtVerify(bad['access_token'] as string, jwks)).rejects.toThrow(/no applicable key|signature/i);
    const good = (await tokens(server)).body;
    await expect(jwtVerify(good['access_token'] as string, jwks, { issuer: server.issuer })).resolves.toBeDefined();
  });

  it('jwks, discovery, userinfo, prm', async () => {
    const keys = (await json(server, '/.well-known/jwks.json')).body['keys'] as Array<{ kid: string }>;
    const unknown = await json(server, '/.well-known/jwks.json?__fail=jwks:unknown_kid');
    expect((unknown.body['keys'] as Array<{ kid: string }>).map((k) => k.kid)).not.toContain(keys[0]!.kid);
    expect((await json(server, '/.well-known/jwks.json?__fail=jwks:empty')).body).toEqual({ keys: [] });
    const discovery = '/.well-known/openid-configuration?__fail=discovery:';
    expect((await json(server, `${discovery}issuer_mismatch`)).body['issuer']).toBe(
      'https://wrong-issuer.dcr-mock.invalid/',
    );
    expect((await json(server, `${discovery}no_pkce_methods`)).body).not.toHaveProperty(
      'code_challenge_methods_supported',
    );
    expect((await json(server, `${discovery}no_registration_endpoint`)).body).not.toHaveProperty(
      'registration_endpoint',
    );
    expect((await json(server, `${discovery}trailing_slash`)).body['issuer']).toBe(server.issuer.slice(0, -1));
    const userinfo = await fetch(`${server.url}/userinfo?__fail=userinfo:invalid_token`, {
      headers: { authorization: 'Bearer x' },
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    const prm = '/.well-known/oauth-protected-resource/mcp?__fail=prm:';
    expect((await json(server, `${prm}missing`)).status).toBe(404);
    expect((await json(server, `${prm}wrong_resource`)).body['resource']).toBe(
      'https://wrong-resource.dcr-mock.invalid/mcp',
    );
    expect((await json(server, `${prm}no_authorization_servers`)).body).not.toHaveProperty('authorization_servers');
  });

  it('authorize: each redirecting mode, and error_page', async () => {
    const base = {
      client_id: APP.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      state: 'st',
      code_challenge: s256(VERIFIER),
      code_challenge_method: 'S256',
    };
    for (const mode of [
      'access_denied',
      'login_required',
      'consent_required',
      'invalid_scope',
      'invalid_request',
      'server_error',
      'temporarily_unavailable',
    ]) {
      const res = await fetch(
        `${server.url}/authorize?${new URLSearchParams({ ...base, __fail: `authorize:${mode}` })}`,
        { redirect: 'manual' },
      );
      const location = new URL(res.headers.get('location')!);
      expect([res.status, location.searchParams.get('error'), location.searchParams.get('state')], mode).toEqual([
        302,
        mode,
        'st',
      ]);
    }
    const page = await fetch(
      `${server.url}/authorize?${new URLSearchParams({ ...base, __fail: 'authorize:error_page' })}`,
      { redirect: 'manual' },
    );
    expect([page.status, page.headers.get('location'), page.headers.get('content-type')]).toEqual([
      400,
      null,
      'text/html; charset=utf-8',
    ]);
    const missing = await fetch(
      `${server.url}/authorize?${new URLSearchParams({ ...base, __fail: 'authorize:missing_state' })}`,
      { redirect: 'manual' },
    );
    expect(new URL(missing.headers.get('location')!).searchParams.has('state')).toBe(false);
  });
});

describe('--signing-key FILE', () => {
  it("signs with the user's own key, published in the JWKS under its thumbprint", async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(tempDir(), 'key.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const server = await start({ signingKey: file, fixtures: [APP] });
    try {
      const jwk = await exportJWK(privateKey);
      const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n!, e: jwk.e! });
      const jwks = (await json(server, '/.well-known/jwks.json')).body as { keys: Array<{ kid: string; n: string }> };
      expect(jwks.keys.map((k) => [k.kid, k.n])).toEqual([[kid, jwk.n]]);
      const { body } = await tokens(server);
      const { protectedHeader } = await jwtVerify(body['access_token'] as string, createLocalJWKSet(jwks as never), {
        issuer: server.issuer,
      });
      expect(protectedHeader.kid).toBe(kid);
    } finally {
      await server.close();
    }
  });
});
