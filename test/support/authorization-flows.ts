import {
  discoverAuthorizationServerMetadata,
  exchangeAuthorization,
  refreshAuthorization,
  startAuthorization,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';

// One login, as each client library does it, against a dcr-mock issuer: discovery, /authorize (the 302
// read by hand, as a CLI or a test without a browser does), the code exchange, /userinfo, a refresh.
// A flow resolves when the library took every answer (with a note when something was missing), and
// rejects with what the library threw.

export const API = 'https://api.example.com/';
export const REDIRECT = 'http://127.0.0.1:8765/callback';
const SCOPE = 'openid email offline_access read:items';
const SECRET = `checks-web-secret-${'0'.repeat(46)}`;

/** The pre-registered, first-party, confidential client each flow logs in with. */
export const CHECKS_CLIENT = {
  client_id: 'checks-web',
  client_secret: SECRET,
  client_name: 'Client checks',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
};

/** /authorize answered without sending the browser back to the client: there is no callback to give a library. */
export class NoRedirect extends Error {
  constructor(readonly status: number) {
    super(`/authorize answered ${status} without a redirect`);
  }
}

/** The callback carried no code: the application (not the library) reads its `error`. */
export class CallbackError extends Error {
  constructor(readonly callbackError: string | null) {
    super(`the callback carried no code (error=${callbackError})`);
  }
}

/** What a flow notes when every step passed but the token response had no refresh token. */
export const NO_REFRESH_TOKEN = 'without a refresh token';

export async function follow(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || location === null) throw new NoRedirect(res.status);
  return new URL(location);
}

/** A login; `at` is told each step as it starts, so that a rejection says where it came. */
export type Flow = (issuer: string, at: (step: Step) => void) => Promise<string | undefined>;
export type Step = 'metadata' | 'callback' | 'code exchange' | 'userinfo' | 'refresh' | 'verification';

export const openidClient =
  (nonRepudiation: boolean): Flow =>
  async (issuer, at) => {
    at('metadata');
    const config = await openid.discovery(
      new URL(issuer),
      CHECKS_CLIENT.client_id,
      SECRET,
      openid.ClientSecretBasic(SECRET),
      { execute: [openid.allowInsecureRequests] },
    );
    if (nonRepudiation) openid.enableNonRepudiationChecks(config);
    const verifier = openid.randomPKCECodeVerifier();
    const state = openid.randomState();
    const nonce = openid.randomNonce();
    const url = openid.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: SCOPE,
      audience: API,
      code_challenge: await openid.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    at('callback');
    const callback = await follow(url);
    // openid-client checks the callback and redeems the code in one call: the code exchange starts with its request.
    const tokenEndpoint = config.serverMetadata().token_endpoint;
    config[openid.customFetch] = (href, init) => {
      if (href === tokenEndpoint && init.body?.toString().includes('grant_type=authorization_code')) {
        at('code exchange');
      }
      return fetch(href, init as RequestInit);
    };
    const tokens = await openid.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    at('userinfo');
    await openid.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    if (tokens.refresh_token === undefined) return NO_REFRESH_TOKEN;
    at('refresh');
    await openid.refreshTokenGrant(config, tokens.refresh_token);
    return undefined;
  };

export const oauth4webapi: Flow = async (issuer, at) => {
  at('metadata');
  const insecure = { [oauth.allowInsecureRequests]: true } as const;
  const id = new URL(issuer);
  const as = await oauth.processDiscoveryResponse(id, await oauth.discoveryRequest(id, insecure));
  const client = { client_id: CHECKS_CLIENT.client_id };
  const auth = oauth.ClientSecretBasic(SECRET);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: SCOPE,
    audience: API,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  at('callback');
  const params = oauth.validateAuthResponse(as, client, await follow(url), state);
  at('code exchange');
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, insecure),
    { expectedNonce: nonce, requireIdToken: true },
  );
  const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;
  at('userinfo');
  await oauth.processUserInfoResponse(
    as,
    client,
    sub,
    await oauth.userInfoRequest(as, client, tokens.access_token, insecure),
  );
  if (tokens.refresh_token === undefined) return NO_REFRESH_TOKEN;
  at('refresh');
  await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure),
  );
  return undefined;
};

/** The MCP SDK's own steps; reading the callback is the application's, as in the SDK's examples. It has no userinfo. */
export const mcpSdk: Flow = async (issuer, at) => {
  at('metadata');
  const metadata = await discoverAuthorizationServerMetadata(issuer);
  if (!metadata) throw new Error('discoverAuthorizationServerMetadata found nothing');
  const clientInformation = {
    client_id: CHECKS_CLIENT.client_id,
    client_secret: SECRET,
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'client_secret_basic',
  };
  const resource = new URL(API);
  const { authorizationUrl, codeVerifier } = await startAuthorization(issuer, {
    metadata,
    clientInformation,
    redirectUrl: REDIRECT,
    scope: SCOPE,
    state: 'mcp-state',
    resource,
  });
  at('callback');
  const callback = await follow(authorizationUrl);
  const code = callback.searchParams.get('code');
  if (code === null) throw new CallbackError(callback.searchParams.get('error'));
  at('code exchange');
  const tokens = await exchangeAuthorization(issuer, {
    metadata,
    clientInformation,
    authorizationCode: code,
    codeVerifier,
    redirectUri: REDIRECT,
    resource,
  });
  if (tokens.refresh_token === undefined) return NO_REFRESH_TOKEN;
  at('refresh');
  await refreshAuthorization(issuer, { metadata, clientInformation, refreshToken: tokens.refresh_token, resource });
  return undefined;
};

/**
 * A resource server (an API, an MCP server): it gets an access token from its caller and verifies it with
 * jose against the issuer's JWKS, for its own audience. The token is obtained by hand.
 */
export const resourceServer: Flow = async (issuer, at) => {
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(`${issuer}authorize`);
  url.search = new URLSearchParams({
    client_id: CHECKS_CLIENT.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'read:items',
    audience: API,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  const code = (await follow(url)).searchParams.get('code') ?? '';
  const res = await fetch(`${issuer}oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CHECKS_CLIENT.client_id}:${SECRET}`).toString('base64')}` },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    }),
  });
  if (!res.ok) throw new Error(`the token endpoint answered ${res.status}: ${await res.text()}`);
  const { access_token } = (await res.json()) as { access_token: string };
  at('verification');
  const jwks = createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));
  await jwtVerify(access_token, jwks, { issuer, audience: API, algorithms: ['RS256'] });
  return undefined;
};
