import { decodeJwt } from 'jose';
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

// --login login: the page lists the server's users, one "Continue as …" button each, and the code is the
// user's who was picked. On a phone.

const API = 'https://api.example.com/';
const USERS = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'grace.hopper@navy.example.com', name: 'Grace Hopper', 'https://example.com/roles': ['admin'] },
];

test.use({ dcrMockOptions: { login: 'login', users: USERS }, viewport: { width: 390, height: 844 } });

let callback: Callback;
let app: PublicClient;

test.beforeEach(async ({ dcrMock }) => {
  callback = await startCallback();
  app = await registerPublicClient(dcrMock.issuer, callback.url, 'Billing CLI');
});
test.afterEach(() => callback.close());

test('the page lists every user; the one picked is the token’s subject', async ({ page, dcrMock }) => {
  const errors = consoleErrors(page);
  const pending = await authorizationUrl(app, { scope: 'read:invoices', audience: API });
  await page.goto(pending.url.href);

  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByText('to continue to Billing CLI')).toBeVisible();
  await expect(page.getByRole('button')).toHaveText([
    'Continue as user@example.com',
    'Continue as ada@example.com',
    'Continue as grace.hopper@navy.example.com',
  ]);
  expect(await phoneProblems(page)).toEqual([]);

  await page.getByRole('button', { name: 'Continue as grace.hopper@navy.example.com' }).click();
  const tokens = await redeem(app, pending, await callback.next());

  const grace = dcrMock.users().find((user) => user['email'] === 'grace.hopper@navy.example.com');
  expect(grace?.sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
  expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: grace?.sub, aud: API, scope: 'read:invoices' });
  expect(errors).toEqual([]);
});

test('with prompt=consent, the consent page follows and greets the user picked', async ({ page, dcrMock }) => {
  const errors = consoleErrors(page);
  const pending = await authorizationUrl(app, { scope: 'read:invoices', audience: API, prompt: 'consent' });
  await page.goto(pending.url.href);
  await page.getByRole('button', { name: 'Continue as ada@example.com' }).click();

  await expect(page.getByRole('heading', { name: 'Authorize Billing CLI' })).toBeVisible();
  await expect(page.getByText('Hi ada@example.com')).toBeVisible();
  expect(await phoneProblems(page)).toEqual([]);
  await page.getByRole('button', { name: 'Accept' }).click();

  const tokens = await redeem(app, pending, await callback.next());
  expect(decodeJwt(tokens.access_token).sub).toBe(dcrMock.users()[1]?.sub);
  expect(errors).toEqual([]);
});

test('prompt=none when the page would be needed is login_required, with no page shown', async ({ page }) => {
  const pending = await authorizationUrl(app, { audience: API, prompt: 'none' });
  await page.goto(pending.url.href);
  const landed = await callback.next();
  expect(landed.searchParams.get('error')).toBe('login_required');
  expect(landed.searchParams.get('state')).toBe(pending.state);
});

test('the keyboard alone gets through: Tab to a user, Enter', async ({ page, dcrMock }) => {
  const pending = await authorizationUrl(app, { audience: API });
  await page.goto(pending.url.href);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Continue as user@example.com' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');

  const tokens = await redeem(app, pending, await callback.next());
  expect(decodeJwt(tokens.access_token).sub).toBe(dcrMock.users()[1]?.sub);
});
