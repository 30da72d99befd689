import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

test.use({ dcrMockOptions: { tenants: ['a', 'b'] } });

test.describe('the fixture with tenants', () => {
  // In order and in one worker, so the second test meets what the first left behind.
  test.describe.configure({ mode: 'default' });

  test('dcrMock.tenant(name) is that tenant: its issuer, its clients', async ({ dcrMock, request }) => {
    expect(dcrMock.tenants).toEqual(['a', 'b']);
    const a = dcrMock.tenant('a');
    expect(a.issuer).toBe(`${dcrMock.url}/t/a/`);
    const metadata = await (await request.get(`${dcrMock.url}/.well-known/openid-configuration/t/a`)).json();
    expect(metadata.issuer).toBe(a.issuer);
    const { json } = await register(a.registrationEndpoint, { client_name: 'at a' });
    expect(a.clients().map((c) => c.client_id)).toEqual([json?.['client_id']]);
    expect(dcrMock.tenant('b').clients()).toEqual([]);
    expect(dcrMock.clients()).toEqual([]);
  });

  test('the reset before each test reaches every tenant', async ({ dcrMock }) => {
    expect(dcrMock.tenant('a').clients()).toEqual([]);
  });

  test("the inspector at /t/a/ shows tenant a's clients and links to its control plane", async ({ page, dcrMock }) => {
    await register(dcrMock.registrationEndpoint, { client_name: 'at the default issuer' });
    await register(dcrMock.tenant('a').registrationEndpoint, { client_name: 'at tenant a' });
    for (const path of ['/t/a/', '/t/a']) {
      await page.goto(`${dcrMock.url}${path}`);
      await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
      await expect(page.locator('#clients tbody tr')).toHaveCount(1);
      await expect(page.locator('#clients tbody tr')).toContainText('at tenant a');
      await expect(page.locator('#fact-endpoint')).toHaveText(`${dcrMock.url}/t/a/oidc/register`);
      await expect(page.locator('a', { hasText: '/__dcr/clients' })).toHaveAttribute('href', '/t/a/__dcr/clients');
    }
  });
});
