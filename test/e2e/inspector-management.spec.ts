import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// A profile with RFC 7592 management: each client is read, replaced and deleted at its registration_client_uri.
test.use({ permissions: ['clipboard-read', 'clipboard-write'], dcrMockOptions: { profile: 'rfc7591' } });

test('a client shows its registration_client_uri, copied as the registration answered it', async ({
  page,
  dcrMock,
}) => {
  const { json } = await register(dcrMock.registrationEndpoint, { client_name: 'Managed' });
  expect(json?.['registration_client_uri']).toEqual(expect.any(String));
  await page.goto(`${dcrMock.url}/`);
  const row = page.locator('#clients tbody tr').first();
  await expect(row.locator('[data-field="registration_client_uri"]')).toContainText(
    String(json?.['registration_client_uri']),
  );
  await row.getByRole('button', { name: 'Copy registration_client_uri' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(json?.['registration_client_uri']);
});
