import { createHash } from 'node:crypto';
import { expect, test } from 'dcr-mock/playwright';

// The members of the handle that reach the authorization server, and what the reset before each test
// gives back: no codes, tokens or refresh-token families, the clock and the signing key as at the start.

/** A first-party public client preloaded in the authorization tests' servers, and its redirect URI. */
const REDIRECT = 'http://127.0.0.1:8765/callback';
const SPA = {
  client_id: 'e2e-spa',
  redirect_uris: [REDIRECT],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
};

test.use({ dcrMockOptions: { fixtures: [SPA], users: [{ email: 'ada@example.com' }] } });

test.describe('the authorization server through the handle', () => {
  // In order and in one worker, so the second test meets what the first left behind.
  test.describe.configure({ mode: 'default' });
  let firstKid: string | undefined;

  test('authorize, users, grants, tokens, revokeAll, rotateKeys and advanceClock', async ({ dcrMock }) => {
    const verifier = 'the-verifier-of-this-test-0123456789-abcdefghij';
    const authorize = new URL('/authorize', dcrMock.url);
    authorize.search = new URLSearchParams({
      client_id: SPA.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid offline_access',
      audience: 'https://api.example.com/',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 's1',
    }).toString();

    expect(dcrMock.users().map((u) => u['email'])).toEqual(['user@example.com', 'ada@example.com']);
    const callback = new URL(await dcrMock.authorize(authorize, { user: 'ada@example.com' }));
    const code = callback.searchParams.get('code');
    expect(dcrMock.grants().codes).toMatchObject([{ code, client_id: SPA.client_id, sub: dcrMock.users()[1]?.sub }]);

    const res = await fetch(`${dcrMock.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: SPA.client_id,
        code: String(code),
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(res.status).toBe(200);
    const tokens = await res.json();
    expect(dcrMock.tokens().map((t) => t.kind)).toEqual(['access_token', 'id_token']);
    firstKid = String(dcrMock.tokens()[0]?.header?.['kid']);
    expect(dcrMock.grants()).toMatchObject({ codes: [], refresh_tokens: [{ revoked_at: null }] });

    const rotated = await dcrMock.rotateKeys();
    expect(rotated.kids).toEqual([rotated.kid, firstKid]);

    const later = dcrMock.advanceClock(3600);
    expect(await dcrMock.revokeAll()).toBe(1);
    expect(dcrMock.grants().refresh_tokens).toMatchObject([
      { revoked_reason: 'revoked', revoked_at: Math.floor(later.getTime() / 1000) },
    ]);
    const refresh = await fetch(`${dcrMock.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: SPA.client_id,
        refresh_token: tokens.refresh_token,
      }),
    });
    expect(refresh.status).toBe(403);
  });

  test('the next test: no codes, tokens or families, the clock and the signing key back as they started', async ({
    dcrMock,
  }) => {
    expect(dcrMock.grants()).toEqual({ codes: [], refresh_tokens: [] });
    expect(dcrMock.tokens()).toEqual([]);
    const clock = await (await fetch(`${dcrMock.url}/__dcr/clock`)).json();
    expect(clock.offset_seconds).toBe(0);
    const jwks = await (await fetch(`${dcrMock.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([firstKid]);
  });
});
