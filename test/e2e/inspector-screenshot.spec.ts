import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// The inspector as a person sees it, with a realistic state. Its screenshot is an artifact of every run
// (test-results/); `UPDATE_DOCS_SCREENSHOT=1 npm run test:browser` also writes docs/inspector.png.

test.use({ dcrMockOptions: { failures: ['service_unavailable:after=8,times=1'] } });

async function fillWithTraffic(endpoint: string, fail: (spec: string) => unknown): Promise<void> {
  await register(endpoint, {
    client_name: 'Checkout SPA',
    redirect_uris: ['http://localhost:5173/callback'],
    token_endpoint_auth_method: 'none',
  });
  await register(endpoint, { client_name: 'Billing CLI', redirect_uris: ['http://127.0.0.1:8976/oauth/callback'] });
  fail('rate_limited:times=2');
  await register(endpoint, { client_name: 'MCP Inspector', redirect_uris: ['http://localhost:6274/oauth/callback'] });
  await register(endpoint, { client_name: 'MCP Inspector', redirect_uris: ['http://localhost:6274/oauth/callback'] });
  await register(endpoint, { client_name: 'MCP Inspector', redirect_uris: ['http://localhost:6274/oauth/callback'] });
  await register(endpoint, { client_name: 'Docs site', redirect_uris: ['http://localhost:3000/#/callback'] });
  await register(
    endpoint,
    { client_name: 'Admin portal', redirect_uris: ['http://localhost:4200/auth/callback'] },
    { 'x-dcr-mock-fail': 'reset' },
  ).catch(() => undefined);
  await register(endpoint, {
    client_name: 'Admin portal',
    redirect_uris: ['http://localhost:4200/auth/callback', 'http://localhost:4200/auth/silent'],
  });
  fail('delay:ms=100-400,client_name=/^ci-/');
  fail('invalid_redirect_uri:after=1,times=3');
}

/** Nothing wider than the window: no sideways scrolling of the page or of a table. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflowing = await page.evaluate(() =>
    [document.documentElement, ...document.querySelectorAll('.table-wrap, .card')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.id || el.className),
  );
  expect(overflowing).toEqual([]);
}

test('the inspector on a laptop screen', async ({ page, dcrMock }, testInfo) => {
  await fillWithTraffic(dcrMock.registrationEndpoint, (spec) => dcrMock.fail(spec));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${dcrMock.url}/`);
  await expect(page.locator('#clients tbody tr')).toHaveCount(4);
  await expect(page.locator('#rules li')).toHaveCount(4);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
  await page.locator('#journal tbody tr').filter({ hasText: 'Docs site' }).first().locator('summary').click();
  await page.getByRole('button', { name: 'rate_limited', exact: true }).click();
  await page.locator('#rule-mode').blur();
  await page.evaluate(() => window.scrollTo(0, 0));
  await expectNoSidewaysScroll(page);

  const shot = await page.screenshot();
  writeFileSync(testInfo.outputPath('inspector.png'), shot);
  await testInfo.attach('inspector', { body: shot, contentType: 'image/png' });
  if (process.env['UPDATE_DOCS_SCREENSHOT'] === '1')
    writeFileSync(new URL('../../docs/inspector.png', import.meta.url), shot);

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 768 },
  ]) {
    await page.setViewportSize(viewport);
    await expectNoSidewaysScroll(page);
    const narrow = await page.screenshot();
    await testInfo.attach(`inspector-${viewport.width}`, { body: narrow, contentType: 'image/png' });
  }
});
