import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { startDcrMock } from 'dcr-mock';

// A confidential first-party client, preloaded as a fixture, that may use client_credentials too.
const app = {
  client_id: 'backend',
  client_secret: 'backend-secret-0000000000000000000000000000000000000000000000000',
  redirect_uris: ['http://127.0.0.1:3000/callback'],
  grant_types: ['authorization_code', 'client_credentials'],
  token_endpoint_auth_method: 'client_secret_basic',
};
const mock = await startDcrMock({ fixtures: [app], users: [{ email: 'ada@example.com', name: 'Ada' }] });
const options = { [oauth.allowInsecureRequests]: true }; // http://127.0.0.1 is not https
try {
  const issuer = new URL(mock.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  const auth = oauth.ClientSecretBasic(app.client_secret);
  const redirect_uri = app.redirect_uris[0];

  const code_verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: app.client_id,
    redirect_uri,
    response_type: 'code',
    scope: 'openid email',
    login_hint: 'ada@example.com', // --login auto logs in as the user login_hint names
    code_challenge: await oauth.calculatePKCECodeChallenge(code_verifier),
    code_challenge_method: 'S256',
  });
  const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location'));
  const params = oauth.validateAuthResponse(as, app, callback);
  const response = await oauth.authorizationCodeGrantRequest(as, app, auth, params, redirect_uri, code_verifier, options);
  const tokens = await oauth.processAuthorizationCodeResponse(as, app, response);
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).email, 'ada@example.com');

  const userinfo = await oauth.userInfoRequest(as, app, tokens.access_token, options);
  const { sub } = oauth.getValidatedIdTokenClaims(tokens);
  assert.equal((await oauth.processUserInfoResponse(as, app, sub, userinfo)).email, 'ada@example.com');

  // A machine-to-machine token for an API.
  const m2m = await oauth.clientCredentialsGrantRequest(as, app, auth, { audience: 'https://api.example.com/' }, options);
  assert.equal((await oauth.processClientCredentialsResponse(as, app, m2m)).token_type, 'bearer');
} finally {
  await mock.close();
}
