import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:3000/callback';
const POST_APP = {
  client_id: 'post-app',
  client_secret: 'post-app-secret-000000000000000000000000000000000000000000000000',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_post',
};
const options = { [oauth.allowInsecureRequests]: true };

/** Rejection of a promise, or a failed test if it resolves. */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    (v) => expect.fail(`expected a refusal, got ${JSON.stringify(v)}`),
    (err: unknown) => err as oauth.ResponseBodyError,
  );

describe('POST /oauth/token with oauth4webapi', () => {
  let server: RunningServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    server = await start({ fixtures: [POST_APP] });
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  });
  afterAll(() => server.close());

  /** A code for the client, as /authorize redirects with it, and the verifier it was made with. */
  async function code(clientId: string, scope = 'offline_access') {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    return {
      params: oauth.validateAuthResponse(as, { client_id: clientId }, location, oauth.skipStateCheck),
      verifier,
    };
  }

  const exchange = (client: oauth.Client, auth: oauth.ClientAuth, params: URLSearchParams, verifier: string) =>
    oauth
      .authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, options)
      .then((res) => oauth.processAuthorizationCodeResponse(as, client, res));

  it('client_secret_post: the code, then a refresh, then revocation ends the family', async () => {
    const client = { client_id: POST_APP.client_id };
    const auth = oauth.ClientSecretPost(POST_APP.client_secret);
    const { params, verifier } = await code(client.client_id);
    const tokens = await exchange(client, auth, params, verifier);
    expect(tokens.refresh_token).toMatch(/^v1\./);
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, options),
    );
    const revoked = await oauth.revocationRequest(as, client, auth, refreshed.refresh_token!, options);
    await oauth.processRevocationResponse(revoked);
    const after = await refusal(
      oauth
        .refreshTokenGrantRequest(as, client, auth, refreshed.refresh_token!, options)
        .then((res) => oauth.processRefreshTokenResponse(as, client, res)),
    );
    expect(after).toMatchObject({ status: 403, error: 'invalid_grant' });
    expect(server.authorization.grants().refresh_tokens.at(-1)).toMatchObject({ revoked_reason: 'revoked' });
  });

  it('a wrong verifier is invalid_grant, and the code stays good for the right one', async () => {
    const client = { client_id: POST_APP.client_id };
    const auth = oauth.ClientSecretPost(POST_APP.client_secret);
    const { params, verifier } = await code(client.client_id);
    const wrong = await refusal(exchange(client, auth, params, oauth.generateRandomCodeVerifier()));
    expect(wrong).toMatchObject({
      status: 403,
      error: 'invalid_grant',
      error_description: 'Failed to verify code verifier',
    });
    await exchange(client, auth, params, verifier);
    // Single-use: the same code again.
    const again = await refusal(exchange(client, auth, params, verifier));
    expect(again).toMatchObject({
      status: 403,
      error: 'invalid_grant',
      error_description: 'Invalid authorization code',
    });
  });

  it('a wrong secret, or the wrong method, is 401 invalid_client', async () => {
    const client = { client_id: POST_APP.client_id };
    const { params, verifier } = await code(client.client_id);
    const wrong = await refusal(exchange(client, oauth.ClientSecretPost('nope'), params, verifier));
    expect(wrong).toMatchObject({ status: 401, error: 'invalid_client' });
    // client_secret_basic tried: the 401 carries a Basic challenge, which oauth4webapi reports as such.
    const basic = await refusal(exchange(client, oauth.ClientSecretBasic(POST_APP.client_secret), params, verifier));
    expect(basic).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((basic as unknown as oauth.WWWAuthenticateChallengeError).status).toBe(401);
    const raw = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${POST_APP.client_id}:${POST_APP.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Basic realm="dcr-mock"');
    expect(await raw.json()).toEqual({
      error: 'invalid_client',
      error_description: 'the client must authenticate with client_secret_post, as registered, not client_secret_basic',
    });
  });

  it('a code past its 10 minutes is invalid_grant; a registered client may not use client_credentials', async () => {
    const client = { client_id: POST_APP.client_id };
    const auth = oauth.ClientSecretPost(POST_APP.client_secret);
    const { params, verifier } = await code(client.client_id);
    server.clock.advance(601);
    try {
      expect(await refusal(exchange(client, auth, params, verifier))).toMatchObject({
        status: 403,
        error: 'invalid_grant',
      });
    } finally {
      server.clock.reset();
    }
    const registered = (await register(server, { redirect_uris: [REDIRECT] })).json as {
      client_id: string;
      client_secret: string;
    };
    const m2m = await refusal(
      oauth
        .clientCredentialsGrantRequest(
          as,
          registered,
          oauth.ClientSecretPost(registered.client_secret),
          { audience: 'https://api.example.com/' },
          options,
        )
        .then((res) => oauth.processClientCredentialsResponse(as, registered, res)),
    );
    expect(m2m).toMatchObject({ status: 403, error: 'unauthorized_client' });
  });

  it('takes a JSON body as Auth0 does, and names a bad parameter', async () => {
    const { params, verifier } = await code(POST_APP.client_id, 'openid');
    const post = (body: unknown) =>
      fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({
      grant_type: 'authorization_code',
      client_id: POST_APP.client_id,
      client_secret: POST_APP.client_secret,
      code: params.get('code'),
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('pragma')).toBe('no-cache');
    const bad = await post({
      grant_type: { nested: true },
      client_id: POST_APP.client_id,
      client_secret: POST_APP.client_secret,
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid_request',
      error_description: 'grant_type must be a string, got object',
    });
    const unknown = await post({
      grant_type: 'password',
      client_id: POST_APP.client_id,
      client_secret: POST_APP.client_secret,
    });
    expect(await unknown.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'Unsupported grant type: password',
    });
  });

  it('token:expired_token and token:bad_signature give tokens a verifier must refuse, and spend no code', async () => {
    const client = { client_id: POST_APP.client_id };
    const auth = oauth.ClientSecretPost(POST_APP.client_secret);
    for (const mode of ['expired_token', 'bad_signature']) {
      const { params, verifier } = await code(client.client_id, 'openid');
      server.plan.add({ endpoint: 'token', mode, times: 1 });
      // oauth4webapi checks the id_token's exp and (against the JWKS, when asked) its signature.
      const spoiled = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, options);
      expect(spoiled.headers.get('x-dcr-mock-failure')).toBe(mode);
      if (mode === 'expired_token') {
        await expect(oauth.processAuthorizationCodeResponse(as, client, spoiled)).rejects.toThrow(/exp/);
      } else {
        const body = (await spoiled.json()) as { id_token: string };
        const jwks = (await (await fetch(as.jwks_uri!)).json()) as { keys: Array<{ kid: string }> };
        const kid = JSON.parse(Buffer.from(body.id_token.split('.')[0]!, 'base64url').toString()).kid;
        expect(jwks.keys.map((k) => k.kid)).not.toContain(kid);
      }
      // The code was not spent: the real exchange still works.
      await exchange(client, auth, params, verifier);
    }
  });
});
