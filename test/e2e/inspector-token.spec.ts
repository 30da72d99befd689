import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// A server started with an admin token: the page loads, but the control plane wants the token.
test.use({ dcrMockOptions: { adminToken: 'open-sesame' } });

test('the page asks for the token and sends it as a Bearer token', async ({ page, dcrMock }) => {
  await register(dcrMock.registrationEndpoint, { client_name: 'behind a token' });
  await page.goto(`${dcrMock.url}/`);
  await expect(page.getByRole('heading', { name: 'Admin token required' })).toBeVisible();
  await expect(page.locator('#main')).toBeHidden();

  await page.getByLabel('Admin token').fill('wrong');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.locator('#auth-error')).toHaveText(/That token was refused/);

  const sent = page.waitForRequest(
    (req) => req.url().endsWith('/__dcr/health') && req.headers()['authorization'] === 'Bearer open-sesame',
  );
  await page.getByLabel('Admin token').fill('open-sesame');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await sent;
  await expect(page.locator('#auth')).toBeHidden();
  await expect(page.locator('#clients tbody tr')).toContainText('behind a token');

  // The token stays with the tab: a reload does not ask again.
  await page.reload();
  await expect(page.locator('#clients tbody tr')).toContainText('behind a token');
  await expect(page.locator('#auth')).toBeHidden();
});
