// The Playwright example of docs/testing.md ("Use it in your tests" › "Playwright"), word for word.
// baseURL is the app under test: here examples/browser-client, served by playwright.config.ts.
import { test, expect } from 'dcr-mock/playwright';

test.use({ dcrMockOptions: { seed: 'my-suite' } });

test('shows the client_id, then the 429 when rate limited', async ({ page, dcrMock }) => {
  await page.goto(`/?issuer=${encodeURIComponent(dcrMock.issuer)}`);

  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.locator('#client-id')).toHaveText(/^tpc_[A-Za-z0-9]{32}$/);

  dcrMock.fail('rate_limited:times=1');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.locator('#result-title')).toHaveText('Rate limited (429 too_many_requests)');
  await expect.poll(() => dcrMock.requests()[0]?.failure).toBe('rate_limited');
  expect(dcrMock.clients()).toHaveLength(1);
});
