import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startDcrMock } from 'dcr-mock';

const mock = await startDcrMock({ apis: ['https://api.example.com/:read:items'] });
const redirect_uri = 'http://127.0.0.1:8765/callback';
try {
  // Discovery and Dynamic Client Registration: a public client (PKCE, no secret).
  const config = await client.dynamicClientRegistration(
    new URL(mock.issuer),
    { redirect_uris: [redirect_uri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
    client.None(),
    { execute: [client.allowInsecureRequests] }, // http://127.0.0.1 is not https
  );
  const code_verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri,
    scope: 'offline_access read:items',
    audience: 'https://api.example.com/',
    code_challenge: await client.calculatePKCECodeChallenge(code_verifier),
    code_challenge_method: 'S256',
    state,
  });

  // --login auto (the default): /authorize answers with the redirect at once, no page to click.
  const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location'));
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code_verifier, expectedState: state });

  // The access token is an RS256 JWT for the API, signed by a key the JWKS publishes.
  const jwks = createRemoteJWKSet(new URL(`${mock.issuer}.well-known/jwks.json`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: mock.issuer, audience: 'https://api.example.com/' });
  assert.equal(payload.scope, 'offline_access read:items');

  // Refresh rotation: a new refresh token each time; the old one, used again, revokes the family.
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), { error: 'invalid_grant' });
  await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), { error: 'invalid_grant' });
} finally {
  await mock.close();
}
