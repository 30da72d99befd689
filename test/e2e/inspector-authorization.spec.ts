import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { type DcrMock as Mock, expect, test } from 'dcr-mock/playwright';
import { consoleErrors } from './support/public-client.js';

// The inspector's view of the authorization server: users, codes not yet redeemed, refresh-token families
// with their state, and the tokens issued, each decoded like a JWT debugger. Traffic comes from the test
// process, as a client's would; the page only reads the control plane.

const REDIRECT = 'http://127.0.0.1:8765/callback';
const API = 'https://api.example.com/';
const VERIFIER = 'the-verifier-of-the-inspector-tests-0123456789';
const SPA = {
  client_id: 'checkout-spa',
  client_name: 'Checkout SPA',
  redirect_uris: [REDIRECT],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
};
const ADA = { email: 'ada@example.com', name: 'Ada Lovelace', 'https://example.com/roles': ['admin'] };

test.use({ dcrMockOptions: { fixtures: [SPA], users: [ADA] } });

function authorizationUrl(mock: Mock, params: Record<string, string> = {}): URL {
  const url = new URL('/authorize', mock.url);
  url.search = new URLSearchParams({
    client_id: SPA.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid email offline_access',
    audience: API,
    code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  }).toString();
  // An empty value leaves the parameter out.
  for (const [name, value] of Object.entries(params)) if (value === '') url.searchParams.delete(name);
  return url;
}

async function token(mock: Mock, body: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`${mock.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: SPA.client_id, ...body }),
  });
  return res.json();
}

/** A code for Ada, redeemed: an access token, an id token and a refresh token. */
async function logIn(mock: Mock, params: Record<string, string> = {}): Promise<Record<string, string>> {
  const callback = new URL(await mock.authorize(authorizationUrl(mock, params), { user: ADA.email }));
  return token(mock, {
    grant_type: 'authorization_code',
    code: String(callback.searchParams.get('code')),
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  });
}

async function openInspector(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
}

/** The tokens, newest first (the items of the list, not those of the lists inside them). */
const tokenItems = (page: Page) => page.getByRole('list', { name: 'Tokens issued' }).locator(':scope > li');
const codeRows = (page: Page) => page.getByRole('table', { name: 'Codes not yet redeemed' }).locator('tbody tr');
const familyRows = (page: Page) => page.getByRole('table', { name: 'Refresh-token families' }).locator('tbody tr');

test('the users, the default first, with their other claims one click away', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  const users = page.getByRole('list', { name: 'Users' }).getByRole('listitem');
  await expect(users).toHaveCount(2);
  await expect(users.nth(0)).toContainText('user@example.com');
  await expect(users.nth(0)).toContainText('default');
  await expect(users.nth(0)).toContainText(String(dcrMock.users()[0]?.sub));
  await expect(users.nth(1)).toContainText('ada@example.com');
  await expect(users.nth(1)).toContainText('Ada Lovelace');
  await users.nth(1).getByText('1 more claim').click();
  await expect(users.nth(1).locator('pre')).toContainText('"https://example.com/roles": [\n    "admin"\n  ]');
});

test('a code waits in the grants, then becomes tokens and a live refresh-token family', async ({ page, dcrMock }) => {
  const errors = consoleErrors(page);
  await openInspector(page, dcrMock.url);
  await expect(page.locator('#codes-empty')).toBeVisible();
  await expect(page.locator('#tokens-empty')).toBeVisible();

  const callback = new URL(await dcrMock.authorize(authorizationUrl(dcrMock), { user: ADA.email }));
  const code = String(callback.searchParams.get('code'));
  await expect(codeRows(page)).toHaveCount(1);
  await expect(codeRows(page)).toContainText('Checkout SPA');
  await expect(codeRows(page)).toContainText('ada@example.com');
  await expect(codeRows(page)).toContainText('openid email offline_access');
  await expect(codeRows(page)).toContainText(`→ ${API}`);
  await expect(codeRows(page)).toContainText(/expires in (9 min \d+ s|10 min)/);
  await expect(codeRows(page).locator('.secret')).toHaveAttribute('title', code);

  await token(dcrMock, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER });
  await expect(codeRows(page)).toHaveCount(0);
  await expect(familyRows(page)).toHaveCount(1);
  await expect(familyRows(page)).toHaveAttribute('data-state', 'live');
  await expect(familyRows(page)).toContainText('live');
  await expect(familyRows(page)).toContainText(/expires in (14 d 23 h|15 d)/);
  await expect(familyRows(page)).toContainText('token #1');
  await expect(tokenItems(page)).toHaveCount(2);
  await expect(tokenItems(page).nth(0)).toContainText('id_token');
  await expect(tokenItems(page).nth(1)).toContainText('access_token');
  await expect(tokenItems(page).nth(1)).toContainText('JWT · RS256');
  await expect(tokenItems(page).nth(1)).toContainText(/expires in (23 h 59 min|1 d)/);
  await expect(page.locator('#tokens-count')).toHaveText('2');
  expect(errors).toEqual([]);
});

test('a token opens into its header, payload and signature, as a JWT debugger shows them', async ({
  page,
  dcrMock,
}) => {
  const tokens = await logIn(dcrMock);
  const [header, payload, signature] = String(tokens['access_token']).split('.');
  const issued = dcrMock.tokens()[0]!;
  await openInspector(page, dcrMock.url);

  const access = page.locator(`#tokens > li[data-n="${issued.n}"]`);
  await expect(access).toContainText('access_token');
  await expect(access).toContainText('Checkout SPA');
  await expect(access).toContainText('ada@example.com');
  await expect(access).toContainText(API);
  await access.getByText('Decoded header and claims').click();
  await expect(access.getByLabel('Encoded token')).toHaveText(`${header}.${payload}.${signature}`);
  await expect(access.locator('.jwt-header')).toHaveText(String(header));
  await expect(access.locator('.jwt-signature')).toHaveText(String(signature));
  expect(JSON.parse(String(await access.locator('.jwt-part-header pre').textContent()))).toEqual(issued.header);
  expect(JSON.parse(String(await access.locator('.jwt-part-payload pre').textContent()))).toEqual(issued.claims);
  await expect(access.locator('.jwt-times')).toContainText(
    `exp${issued.claims['exp']} = ${new Date(Number(issued.claims['exp']) * 1000).toISOString()}`,
  );
  await expect(access.locator('.jwt-part-signature')).toContainText(`RS256 by the key ${issued.header?.['kid']}`);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await access.getByRole('button', { name: 'Copy token' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(tokens['access_token']);

  // It stays open while the page redraws for a newer token.
  await logIn(dcrMock);
  await expect(tokenItems(page)).toHaveCount(4);
  await expect(access.locator('.jwt-part-payload pre')).toBeVisible();
  await expect(tokenItems(page).first().locator('details')).not.toHaveAttribute('open');
});

test('refresh-token reuse shows as "reuse detected"; revoke-all as "revoked"', async ({ page, dcrMock }) => {
  const first = await logIn(dcrMock);
  await logIn(dcrMock);
  await token(dcrMock, { grant_type: 'refresh_token', refresh_token: String(first['refresh_token']) });
  await token(dcrMock, { grant_type: 'refresh_token', refresh_token: String(first['refresh_token']) });
  await openInspector(page, dcrMock.url);

  await expect(familyRows(page).nth(0)).toHaveAttribute('data-state', 'revoked');
  await expect(familyRows(page).nth(0)).toContainText('reuse detected');
  await expect(familyRows(page).nth(0)).toContainText('token #2');
  await expect(familyRows(page).nth(1)).toContainText('live');

  await dcrMock.revokeAll();
  await expect(familyRows(page).nth(1)).toHaveAttribute('data-state', 'revoked');
  await expect(familyRows(page).nth(1).locator('.badge')).toHaveText('revoked');
});

test('the server clock moved on: tokens show as expired, and families past their lifetime too', async ({
  page,
  dcrMock,
}) => {
  await logIn(dcrMock);
  await openInspector(page, dcrMock.url);
  await expect(page.locator('#fact-clock')).toHaveText('real time');

  dcrMock.advanceClock(86_400 + 3600);
  await expect(page.locator('#fact-clock')).toContainText('+1 d 1 h');
  const access = tokenItems(page).filter({ hasText: 'access_token' });
  await expect(access.locator('.until')).toHaveAttribute('data-expired', 'true');
  await expect(access.locator('.until')).toContainText('expired 1 h ago');
  await expect(familyRows(page)).toContainText(/expires in 13 d 2[23] h/);

  dcrMock.advanceClock(14 * 86_400);
  await expect(familyRows(page)).toHaveAttribute('data-state', 'expired');
  await expect(familyRows(page).locator('.badge')).toHaveText('expired');
});

test('failure modes that bend a token are named on it; a token without an audience is opaque', async ({
  page,
  dcrMock,
}) => {
  dcrMock.fail('token:bad_signature:times=1');
  await logIn(dcrMock);
  await logIn(dcrMock, { audience: '', scope: 'openid email' });
  await openInspector(page, dcrMock.url);

  const bent = tokenItems(page).filter({ hasText: 'bad_signature' });
  await expect(bent).toHaveCount(2);
  await bent.first().getByText('Decoded header and claims').click();
  await expect(bent.first().locator('.jwt-part-signature')).toContainText('which the JWKS does not publish');

  const opaque = tokenItems(page).filter({ hasText: 'opaque' });
  await expect(opaque).toHaveCount(1);
  await expect(opaque).toContainText('access_token');
  await opaque.getByText('What this opaque token stands for').click();
  await expect(opaque).toContainText('Not a JWT');
  await expect(opaque.locator('pre')).toContainText(`"sub": "${dcrMock.users()[1]?.sub}"`);
});

test('reset empties the grants and the tokens; the users stay', async ({ page, dcrMock }) => {
  await logIn(dcrMock);
  await dcrMock.authorize(authorizationUrl(dcrMock));
  await openInspector(page, dcrMock.url);
  await expect(codeRows(page)).toHaveCount(1);
  await expect(familyRows(page)).toHaveCount(1);
  await expect(tokenItems(page)).toHaveCount(2);

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Reset the server?' })
    .getByRole('button', { name: 'Reset everything' })
    .click();
  await expect(codeRows(page)).toHaveCount(0);
  await expect(familyRows(page)).toHaveCount(0);
  await expect(tokenItems(page)).toHaveCount(0);
  await expect(page.locator('#families-empty')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Users' }).getByRole('listitem')).toHaveCount(2);
});

test('claims are shown as text, never run as markup', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  const hostile = '<img src=x onerror="window.__owned=1">';
  const res = await fetch(`${dcrMock.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: SPA.client_id, code: hostile }),
  });
  expect(res.status).toBe(403);
  const url = authorizationUrl(dcrMock, { state: hostile, nonce: hostile });
  await token(dcrMock, {
    grant_type: 'authorization_code',
    code: String(new URL(await dcrMock.authorize(url)).searchParams.get('code')),
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  });
  const id = tokenItems(page).filter({ hasText: 'id_token' });
  await id.getByText('Decoded header and claims').click();
  await expect(id.locator('.jwt-part-payload pre')).toContainText(`"nonce": "${hostile.replaceAll('"', '\\"')}"`);
  await expect(page.locator('main img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
});
