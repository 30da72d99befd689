import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const API = 'https://api.example.com/';
const REDIRECT = 'http://127.0.0.1:8765/callback';
const insecure = { execute: [openid.allowInsecureRequests] };

/** Follows /authorize as a CLI would: no browser, the 302 read by hand. */
async function followAuthorize(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('openid-client v6: registration, the code flow with PKCE, JWT, refresh rotation, reuse, userinfo', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await start({
      fixtures: [
        {
          client_id: 'first-party-web',
          client_secret: 'first-party-web-secret-000000000000000000000000000000000000000000',
          client_name: 'First Party Web',
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
    });
  });
  afterAll(() => server.close());

  it('a registered public client logs in, verifies its JWT, refreshes with rotation, and reuse revokes the family', async () => {
    const config = await openid.dynamicClientRegistration(
      new URL(server.issuer),
      {
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      },
      openid.None(),
      insecure,
    );
    const verifier = openid.randomPKCECodeVerifier();
    const state = openid.randomState();
    const url = openid.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'offline_access read:items',
      audience: API,
      code_challenge: await openid.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await followAuthorize(url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe(state);

    const tokens = await openid.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^v1\./);
    // A third-party (tpc_) client in Auth0's strict mode gets no id_token.
    expect(tokens.id_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: server.issuer,
      audience: API,
      currentDate: server.clock.now(),
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({ azp: config.clientMetadata().client_id, scope: 'offline_access read:items' });
    expect(payload.sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect(payload.exp! - payload.iat!).toBe(86_400);

    const first = tokens.refresh_token!;
    const refreshed = await openid.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toMatch(/^v1\./);
    expect(refreshed.refresh_token).not.toBe(first);

    // The rotated-out token again: reuse. Refused, and the family with it.
    const reuse = await openid.refreshTokenGrant(config, first).then(
      () => expect.fail('a reused refresh token must be refused'),
      (err: unknown) => err,
    );
    expect(reuse).toBeInstanceOf(openid.ResponseBodyError);
    expect(reuse).toMatchObject({
      status: 403,
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
    const family = await openid.refreshTokenGrant(config, refreshed.refresh_token!).then(
      () => expect.fail('the family must be revoked after reuse'),
      (err: unknown) => err,
    );
    expect(family).toMatchObject({ status: 403, error: 'invalid_grant' });
    expect(server.authorization.grants().refresh_tokens[0]).toMatchObject({ revoked_reason: 'reuse' });

    // The journal shows each step: the authorization's query, each grant, its client and outcome.
    const journal = server.journal.list();
    const clientId = config.clientMetadata().client_id;
    expect(journal.find((e) => e.path === '/authorize')).toMatchObject({
      status: 302,
      client_id: clientId,
      query: expect.stringContaining('code_challenge_method=S256'),
    });
    expect(journal.filter((e) => e.path === '/oauth/token').map((e) => [e.grant_type, e.status, e.client_id])).toEqual([
      ['refresh_token', 403, clientId],
      ['refresh_token', 403, clientId],
      ['refresh_token', 200, clientId],
      ['authorization_code', 200, clientId],
    ]);
  });

  it('a first-party confidential client with openid gets an id_token and the user from fetchUserInfo', async () => {
    const config = await openid.discovery(
      new URL(server.issuer),
      'first-party-web',
      'first-party-web-secret-000000000000000000000000000000000000000000',
      openid.ClientSecretBasic('first-party-web-secret-000000000000000000000000000000000000000000'),
      insecure,
    );
    const verifier = openid.randomPKCECodeVerifier();
    const nonce = openid.randomNonce();
    const url = openid.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge: await openid.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
    });
    const callback = await followAuthorize(url);
    const tokens = await openid.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: server.issuer, aud: 'first-party-web', nonce, email: 'user@example.com' });
    const user = await openid.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(user).toMatchObject({ sub: claims.sub, email: 'user@example.com', email_verified: true });
    // No audience: an opaque token, good for /userinfo only.
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    expect(decodeJwt(tokens.id_token!).exp! - decodeJwt(tokens.id_token!).iat!).toBe(36_000);
  });
});
