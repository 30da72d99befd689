import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { expect, test } from 'dcr-mock/playwright';
import { type Callback, startCallback } from './support/callback.js';
import {
  type PublicClient,
  authorizationUrl,
  consoleErrors,
  phoneProblems,
  redeem,
  registerPublicClient,
} from './support/public-client.js';

// --login consent: a registered public client sends the browser to /authorize, the person answers Auth0's
// consent page, and the client's own redirect URI (a server of this test) gets the answer. On a phone.

const API = 'https://api.checkout.example.com/v2/orders-and-payments';

test.use({ dcrMockOptions: { login: 'consent' }, viewport: { width: 390, height: 844 } });

let callback: Callback;
let app: PublicClient;

test.beforeEach(async ({ dcrMock }) => {
  callback = await startCallback();
  app = await registerPublicClient(dcrMock.issuer, callback.url);
});
test.afterEach(() => callback.close());

test('Accept sends a code to the redirect URI, and the code buys a JWT for the API', async ({ page, dcrMock }) => {
  const errors = consoleErrors(page);
  const pending = await authorizationUrl(app, { scope: 'offline_access read:orders', audience: API });
  await page.goto(pending.url.href);

  await expect(page.getByRole('heading', { name: 'Authorize Checkout SPA' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Scopes' }).getByRole('listitem')).toHaveText([
    'offline_access',
    'read:orders',
  ]);
  await expect(page.getByText(API)).toBeVisible();
  expect(await phoneProblems(page)).toEqual([]);

  await page.getByRole('button', { name: 'Accept' }).click();
  const landed = await callback.next();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
  expect(landed.searchParams.get('state')).toBe(pending.state);
  expect(dcrMock.grants().codes.map((c) => c.code)).toEqual([landed.searchParams.get('code')]);

  const tokens = await redeem(app, pending, landed);
  const jwks = createRemoteJWKSet(new URL(`${dcrMock.issuer}.well-known/jwks.json`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: dcrMock.issuer, audience: API });
  expect(payload).toMatchObject({
    sub: dcrMock.users()[0]?.sub,
    azp: app.client.client_id,
    scope: 'offline_access read:orders',
  });
  expect(tokens.refresh_token).toMatch(/^v1\./);
  // The code is spent; the fixture's handle sees the token and the refresh-token family.
  expect(dcrMock.grants().codes).toEqual([]);
  expect(dcrMock.grants().refresh_tokens).toMatchObject([{ client_id: app.client.client_id, revoked_at: null }]);
  expect(dcrMock.tokens().map((t) => t.token)).toEqual([tokens.access_token]);
  expect(errors).toEqual([]);
});

test('Decline sends access_denied and no code', async ({ page, dcrMock }) => {
  const errors = consoleErrors(page);
  const pending = await authorizationUrl(app, { scope: 'read:orders', audience: API });
  await page.goto(pending.url.href);
  await page.getByRole('button', { name: 'Decline' }).click();

  const landed = await callback.next();
  expect(Object.fromEntries(landed.searchParams)).toMatchObject({ error: 'access_denied', state: pending.state });
  expect(landed.searchParams.has('code')).toBe(false);
  expect(() => oauth.validateAuthResponse(app.as, app.client, landed, pending.state)).toThrow(
    expect.objectContaining({ error: 'access_denied' }),
  );
  expect(dcrMock.grants().codes).toEqual([]);
  expect(dcrMock.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'POST /u/consent 302',
    'GET /authorize 200',
    'POST /oidc/register 201',
    'GET /.well-known/openid-configuration 200',
  ]);
  expect(errors).toEqual([]);
});

test('the headless way gives the same kind of code, through the fixture', async ({ dcrMock }) => {
  const pending = await authorizationUrl(app, { audience: API });
  const declined = new URL(await dcrMock.authorize(pending.url, { decision: 'decline' }));
  expect(declined.searchParams.get('error')).toBe('access_denied');

  const accepted = new URL(await dcrMock.authorize(pending.url));
  const tokens = await redeem(app, pending, accepted);
  expect(dcrMock.tokens().at(-1)?.claims).toMatchObject({ aud: API, azp: app.client.client_id });
  expect(tokens.token_type).toBe('bearer');
});

test('a redirect_uri the client did not register: an error page that names it, and no redirect', async ({ page }) => {
  const pending = await authorizationUrl(app, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
  const response = await page.goto(pending.url.href);

  expect(response?.status()).toBe(400);
  await expect(page.getByRole('heading', { name: /something went wrong/ })).toBeVisible();
  await expect(page.locator('main')).toContainText('Callback URL mismatch');
  await expect(page.locator('main')).toContainText('"http://127.0.0.1:9/elsewhere" is not in');
  await expect(page).toHaveURL(/\/authorize\?/);
  expect(await phoneProblems(page)).toEqual([]);
});
