import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DcrMock, startDcrMock } from '../../src/index.js';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

// oauth4webapi v3 against the token endpoint: each client authentication, each grant, and the refusals
// a client must tell apart (a wrong verifier, a wrong secret, a spent or expired code, a revoked token).

const API = 'https://api.example.com/';
const REDIRECT = 'http://127.0.0.1:8765/callback';
const SECRET = (name: string) => `${name}-secret-${'0'.repeat(48)}`;

/** What the client library sent to the token endpoint, as the server got it. */
interface Sent {
  readonly authorization: string | null;
  readonly contentType: string | null;
  readonly body: string;
}

const FIXTURES = [
  {
    client_id: 'web-basic',
    client_secret: SECRET('web-basic'),
    client_name: 'Web (client_secret_basic)',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'web-post',
    client_secret: SECRET('web-post'),
    client_name: 'Web (client_secret_post)',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    client_id: 'machine',
    client_secret: SECRET('machine'),
    client_name: 'Machine to machine',
    redirect_uris: [REDIRECT],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_post',
  },
];

const METHODS = {
  client_secret_basic: { client_id: 'web-basic', auth: oauth.ClientSecretBasic },
  client_secret_post: { client_id: 'web-post', auth: oauth.ClientSecretPost },
} as const;
type Method = keyof typeof METHODS;

/** The rejection an async call ends in; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (err: unknown) => err,
  );
}

/** A fetch that records what oauth4webapi sends; with `json`, it sends the form's parameters as a JSON object. */
function recordingFetch(sent: Sent[], json = false) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    let body = init.body;
    if (json && body instanceof URLSearchParams) {
      body = JSON.stringify(Object.fromEntries(body));
      headers.set('content-type', 'application/json');
    }
    sent.push({
      authorization: headers.get('authorization'),
      contentType: headers.get('content-type'),
      body: typeof body === 'string' ? body : String(body ?? ''),
    });
    return fetch(url, { ...init, headers, body: body ?? null });
  };
}

describe('oauth4webapi v3: the token endpoint', () => {
  let server: RunningServer;
  let as: oauth.AuthorizationServer;
  let sent: Sent[];
  let jsonBodies = false;
  const options = () => ({
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: recordingFetch(sent, jsonBodies),
  });

  beforeAll(async () => {
    server = await start({ fixtures: FIXTURES });
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
    );
  });
  afterAll(() => server.close());

  /** /authorize with PKCE, the 302 read by hand and validated by the library: the callback's parameters. */
  async function authorize(clientId: string, scope: string, extra: Record<string, string> = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status, await res.clone().text()).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    const params = oauth.validateAuthResponse(as, { client_id: clientId }, callback, state);
    return { params, verifier, nonce };
  }

  async function exchange(method: Method, params: URLSearchParams, verifier: string, nonce?: string) {
    const { client_id, auth } = METHODS[method];
    const client = { client_id };
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth(SECRET(client_id)),
      params,
      REDIRECT,
      verifier,
      options(),
    );
    return oauth.processAuthorizationCodeResponse(as, client, res, nonce ? { expectedNonce: nonce } : undefined);
  }

  describe.each(Object.keys(METHODS) as Method[])('%s', (method) => {
    const { client_id, auth } = METHODS[method];
    const client = { client_id };

    it('code with PKCE, id_token, userinfo, a refresh with rotation, then revoke and the refresh token refused', async () => {
      sent = [];
      const { params, verifier, nonce } = await authorize(client_id, 'openid email offline_access read:items', {
        audience: API,
      });
      const tokens = await exchange(method, params, verifier, nonce);
      // The client authenticated the way it is registered, and the server took it.
      const [request] = sent;
      if (method === 'client_secret_basic') {
        expect(request!.authorization).toMatch(/^Basic /);
        expect(request!.body).not.toContain('client_secret');
      } else {
        expect(request!.authorization).toBeNull();
        expect(new URLSearchParams(request!.body).get('client_secret')).toBe(SECRET(client_id));
      }
      expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 86_400 });
      expect(tokens.scope).toBe('openid email offline_access read:items');
      expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ iss: server.issuer, aud: client_id, nonce });

      const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
      const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, audience: API });
      expect(payload).toMatchObject({ azp: client_id, aud: [API, `${server.issuer}userinfo`] });

      const info = await oauth.processUserInfoResponse(
        as,
        client,
        String(payload.sub),
        await oauth.userInfoRequest(as, client, tokens.access_token, options()),
      );
      expect(info).toMatchObject({ sub: payload.sub, email: 'user@example.com', email_verified: true });

      const first = tokens.refresh_token!;
      expect(first).toMatch(/^v1\./);
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth(SECRET(client_id)), first, options()),
      );
      expect(refreshed.refresh_token).toMatch(/^v1\./);
      expect(refreshed.refresh_token).not.toBe(first);
      expect(decodeJwt(refreshed.access_token)).toMatchObject({
        sub: payload.sub,
        aud: [API, `${server.issuer}userinfo`],
      });

      const revoked = await oauth.revocationRequest(
        as,
        client,
        auth(SECRET(client_id)),
        refreshed.refresh_token!,
        options(),
      );
      expect(revoked.status).toBe(200);
      await expect(oauth.processRevocationResponse(revoked)).resolves.toBeUndefined();
      expect(server.authorization.grants().refresh_tokens.at(-1)).toMatchObject({ client_id });

      const after = await rejection(
        oauth.processRefreshTokenResponse(
          as,
          client,
          await oauth.refreshTokenGrantRequest(
            as,
            client,
            auth(SECRET(client_id)),
            refreshed.refresh_token!,
            options(),
          ),
        ),
      );
      expect(after).toBeInstanceOf(oauth.ResponseBodyError);
      expect(after).toMatchObject({
        status: 403,
        error: 'invalid_grant',
        error_description: 'Unknown or invalid refresh token.',
      });
    });

    it('a wrong code_verifier is invalid_grant 403 "Failed to verify code verifier", and leaves the code usable', async () => {
      const { params, verifier } = await authorize(client_id, 'read:items', { audience: API });
      const err = await rejection(exchange(method, params, oauth.generateRandomCodeVerifier()));
      expect(err).toBeInstanceOf(oauth.ResponseBodyError);
      expect(err).toMatchObject({
        status: 403,
        error: 'invalid_grant',
        error_description: 'Failed to verify code verifier',
      });
      // A refused exchange spends nothing: the right verifier still redeems the code.
      await expect(exchange(method, params, verifier)).resolves.toMatchObject({ token_type: 'bearer' });
    });

    it('a wrong client secret is invalid_client 401', async () => {
      const { params, verifier } = await authorize(client_id, 'read:items', { audience: API });
      const res = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth(`${SECRET(client_id)}-wrong`),
        params,
        REDIRECT,
        verifier,
        options(),
      );
      expect(res.status).toBe(401);
      expect(await res.clone().json()).toMatchObject({ error: 'invalid_client' });
      const err = await rejection(oauth.processAuthorizationCodeResponse(as, client, res));
      if (method === 'client_secret_basic') {
        // RFC 6749 §5.2: a client that used the Authorization header is sent a Basic challenge, which
        // oauth4webapi reports before the body.
        expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
        expect(err).toMatchObject({ status: 401, cause: [{ scheme: 'basic' }] });
      } else {
        expect(err).toBeInstanceOf(oauth.ResponseBodyError);
        expect(err).toMatchObject({ status: 401, error: 'invalid_client' });
      }
    });
  });

  it('a code used twice is refused the second time', async () => {
    const { params, verifier } = await authorize('web-post', 'read:items', { audience: API });
    await exchange('client_secret_post', params, verifier);
    const err = await rejection(exchange('client_secret_post', params, verifier));
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect(err).toMatchObject({ status: 403, error: 'invalid_grant', error_description: 'Invalid authorization code' });
  });

  it('JSON bodies are taken at /oauth/token as forms are: code, refresh, client_credentials', async () => {
    sent = [];
    jsonBodies = true;
    try {
      const { params, verifier } = await authorize('web-post', 'offline_access read:items', { audience: API });
      const tokens = await exchange('client_secret_post', params, verifier);
      const client = { client_id: 'web-post' };
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
          as,
          client,
          oauth.ClientSecretPost(SECRET('web-post')),
          tokens.refresh_token!,
          options(),
        ),
      );
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      const machine = await oauth.processClientCredentialsResponse(
        as,
        { client_id: 'machine' },
        await oauth.clientCredentialsGrantRequest(
          as,
          { client_id: 'machine' },
          oauth.ClientSecretPost(SECRET('machine')),
          { audience: API },
          options(),
        ),
      );
      expect(decodeJwt(machine.access_token)).toMatchObject({ aud: API, sub: 'machine@clients' });
    } finally {
      jsonBodies = false;
    }
    expect(sent.map((s) => s.contentType)).toEqual(['application/json', 'application/json', 'application/json']);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ grant_type: 'authorization_code', client_id: 'web-post' });
  });

  it('client_credentials: a first-party confidential fixture gets an API token; a registered tpc_ client is refused', async () => {
    sent = [];
    const machine = { client_id: 'machine' };
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      machine,
      await oauth.clientCredentialsGrantRequest(
        as,
        machine,
        oauth.ClientSecretPost(SECRET('machine')),
        { audience: API },
        options(),
      ),
    );
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, audience: API });
    expect(payload).toMatchObject({ sub: 'machine@clients', azp: 'machine', gty: 'client-credentials' });

    // A dynamically registered client is third-party (tpc_): Auth0's strict mode gives it no client_credentials.
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code', 'client_credentials'],
        },
        { [oauth.allowInsecureRequests]: true },
      ),
    );
    expect(registered.client_id).toMatch(/^tpc_/);
    const tpc = { client_id: registered.client_id };
    const err = await rejection(
      oauth.processClientCredentialsResponse(
        as,
        tpc,
        await oauth.clientCredentialsGrantRequest(
          as,
          tpc,
          oauth.ClientSecretPost(registered.client_secret as string),
          { audience: API },
          options(),
        ),
      ),
    );
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect(err).toMatchObject({ status: 403, error: 'unauthorized_client' });
  });
});

describe("oauth4webapi v3: codes and tokens expire by the server's clock", () => {
  let mock: DcrMock;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true } as const;
  const auth = () => oauth.ClientSecretPost(SECRET('web-post'));
  /** The client's clock agrees with the server's, moved or not, as a client of a real tenant's would. */
  let skew = 0;
  const client = (): oauth.Client => ({ client_id: 'web-post', [oauth.clockSkew]: skew });
  const advance = (seconds: number) => {
    mock.advanceClock(seconds);
    skew += seconds;
  };

  beforeAll(async () => {
    mock = await startDcrMock({ fixtures: FIXTURES });
    const issuer = new URL(mock.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  });
  afterAll(() => mock.close());

  async function callback(scope: string) {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: 'web-post',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    return { params: oauth.validateAuthResponse(as, client(), location, oauth.expectNoState), verifier };
  }

  const redeem = async (params: URLSearchParams, verifier: string) =>
    oauth.processAuthorizationCodeResponse(
      as,
      client(),
      await oauth.authorizationCodeGrantRequest(as, client(), auth(), params, REDIRECT, verifier, insecure),
    );

  it('a code redeemed after its 10 minutes is invalid_grant', async () => {
    const { params, verifier } = await callback('read:items');
    advance(601);
    const err = await rejection(redeem(params, verifier));
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect(err).toMatchObject({ status: 403, error: 'invalid_grant', error_description: 'Invalid authorization code' });
  });

  it('an access token past its exp is refused by /userinfo with 401 invalid_token', async () => {
    const { params, verifier } = await callback('openid email');
    const tokens = await redeem(params, verifier);
    const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;
    const userinfo = async () =>
      oauth.processUserInfoResponse(
        as,
        client(),
        sub,
        await oauth.userInfoRequest(as, client(), tokens.access_token, insecure),
      );
    // Good now; a second past its lifetime, refused.
    await expect(userinfo()).resolves.toMatchObject({ sub, email: 'user@example.com' });
    advance(tokens.expires_in! + 1);
    const err = await rejection(userinfo());
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(err).toMatchObject({
      status: 401,
      cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token' } }],
    });
  });
});
