import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { type DcrMock, expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// The inspector as a person sees it, with a realistic state. Its screenshot is an artifact of every run
// (test-results/: inspector.png at 1440 wide, inspector-1280.png, inspector-1024.png, and inspector-390.png
// for a phone); `UPDATE_DOCS_SCREENSHOT=1 npm run test:browser` also writes docs/inspector.png.

test.use({ dcrMockOptions: { failures: ['service_unavailable:after=8,times=1'] } });

async function fillWithTraffic(endpoint: string, fail: (spec: string) => unknown): Promise<string> {
  const { json: spa } = await register(endpoint, {
    client_name: 'Checkout SPA',
    redirect_uris: ['http://localhost:5173/callback'],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
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
  return String(spa?.['client_id']);
}

/** The SPA logs the user in twice (a code redeemed each time, one refresh token reused), and leaves a code waiting. */
async function logInTwice(mock: DcrMock, clientId: string): Promise<void> {
  const verifier = 'the-verifier-of-the-screenshot-0123456789abcdef';
  const url = new URL('/authorize', mock.url);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: 'http://localhost:5173/callback',
    response_type: 'code',
    scope: 'offline_access read:orders',
    audience: 'https://api.checkout.example.com/',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const token = async (body: Record<string, string>) =>
    (
      await fetch(`${mock.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: clientId, ...body }),
      })
    ).json();
  const refreshTokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const code = String(new URL(await mock.authorize(url)).searchParams.get('code'));
    const tokens = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://localhost:5173/callback',
      code_verifier: verifier,
    });
    refreshTokens.push(tokens.refresh_token);
  }
  await token({ grant_type: 'refresh_token', refresh_token: String(refreshTokens[0]) });
  await token({ grant_type: 'refresh_token', refresh_token: String(refreshTokens[0]) });
  await mock.authorize(url);
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
  const spa = await fillWithTraffic(dcrMock.registrationEndpoint, (spec) => dcrMock.fail(spec));
  await logInTwice(dcrMock, spa);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${dcrMock.url}/`);
  await expect(page.locator('#clients tbody tr')).toHaveCount(4);
  await expect(page.locator('#rules li')).toHaveCount(4);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
  await page.getByLabel('Failure', { exact: true }).selectOption('rate_limited');
  await expect(page.locator('#journal > li')).toHaveCount(2);
  await page.locator('#journal > li').first().locator('summary').click();
  await page.getByRole('button', { name: 'rate_limited', exact: true }).click();
  await page.locator('#rule-mode').blur();
  await page.evaluate(() => window.scrollTo(0, 0));
  await expectNoSidewaysScroll(page);

  const shot = await page.screenshot();
  writeFileSync(testInfo.outputPath('inspector.png'), shot);
  await testInfo.attach('inspector', { body: shot, contentType: 'image/png' });
  if (process.env['UPDATE_DOCS_SCREENSHOT'] === '1')
    writeFileSync(new URL('../../docs/inspector.png', import.meta.url), shot);

  // The authorization server's part, one token decoded.
  await expect(page.locator('#tokens > li')).toHaveCount(3);
  await page.locator('#tokens > li').nth(1).getByText('Decoded header and claims').click();
  const whole = await page.screenshot({ fullPage: true });
  writeFileSync(testInfo.outputPath('inspector-full.png'), whole);
  await testInfo.attach('inspector-full', { body: whole, contentType: 'image/png' });
  await expectNoSidewaysScroll(page);

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 768 },
  ]) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => window.scrollTo(0, 0));
    await expectNoSidewaysScroll(page);
    const narrow = await page.screenshot();
    writeFileSync(testInfo.outputPath(`inspector-${viewport.width}.png`), narrow);
    await testInfo.attach(`inspector-${viewport.width}`, { body: narrow, contentType: 'image/png' });
  }
});

test('the inspector on a phone, 390 px wide', async ({ page, dcrMock }, testInfo) => {
  const spa = await fillWithTraffic(dcrMock.registrationEndpoint, (spec) => dcrMock.fail(spec));
  await logInTwice(dcrMock, spa);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${dcrMock.url}/`);
  await expect(page.locator('#clients tbody tr')).toHaveCount(4);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
  await page.locator('#journal > li').filter({ hasText: 'rate_limited' }).first().locator('summary').click();
  await expectNoSidewaysScroll(page);

  const shot = await page.screenshot();
  writeFileSync(testInfo.outputPath('inspector-390.png'), shot);
  await testInfo.attach('inspector-390', { body: shot, contentType: 'image/png' });
  const whole = await page.screenshot({ fullPage: true });
  writeFileSync(testInfo.outputPath('inspector-390-full.png'), whole);
  await testInfo.attach('inspector-390-full', { body: whole, contentType: 'image/png' });
});
