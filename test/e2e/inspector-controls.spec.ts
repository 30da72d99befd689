import type { Page } from '@playwright/test';
import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// The inspector's controls: copying credentials and URLs, Reset's confirmation, a rule for any endpoint,
// and the page on a phone.

const clientRows = (page: Page) => page.locator('#clients tbody tr');
const journalRows = (page: Page) => page.locator('#journal > li');

async function openInspector(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
}

test.describe('with the clipboard allowed', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('the copy buttons put client_id, client_secret and the URLs on the clipboard, exactly', async ({
    page,
    dcrMock,
  }) => {
    const { json } = await register(dcrMock.registrationEndpoint, { client_name: 'Copied' });
    await openInspector(page, dcrMock.url);
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    const row = clientRows(page).first();

    for (const [name, value] of [
      ['client_id', json?.['client_id']],
      ['client_secret', json?.['client_secret']],
    ]) {
      const button = row.getByRole('button', { name: `Copy ${name}` });
      await button.click();
      await expect(button).toHaveText('Copied');
      expect(await clipboard()).toBe(String(value));
    }

    const discovery = await (await fetch(`${dcrMock.url}/.well-known/openid-configuration`)).json();
    const endpoints = page.locator('#endpoints');
    for (const name of ['issuer', 'registration_endpoint', 'token_endpoint', 'jwks_uri']) {
      await endpoints.getByRole('button', { name: `Copy ${name}`, exact: true }).click();
      expect(await clipboard()).toBe(discovery[name]);
    }
    await expect(page.locator('#fact-endpoint')).toHaveText(discovery.registration_endpoint);
  });
});

test('where the page may not write the clipboard, Copy selects the value for Ctrl+C', async ({ page, dcrMock }) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')) },
    });
  });
  const { json } = await register(dcrMock.registrationEndpoint, { client_name: 'Selected' });
  await openInspector(page, dcrMock.url);
  const button = clientRows(page).first().getByRole('button', { name: 'Copy client_secret' });
  await button.click();
  await expect(button).toHaveText('Selected: press Ctrl+C');
  expect(await page.evaluate(() => getSelection()?.toString())).toBe(json?.['client_secret']);
});

test('Reset asks first: cancelled, or closed with Escape, it keeps everything; accepted, it forgets', async ({
  page,
  dcrMock,
}) => {
  await register(dcrMock.registrationEndpoint, { client_name: 'one' });
  await register(dcrMock.registrationEndpoint, { client_name: 'two' });
  await openInspector(page, dcrMock.url);
  await expect(clientRows(page)).toHaveCount(2);
  const dialog = page.getByRole('dialog', { name: 'Reset the server?' });

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Nothing was sent: the clients are still there, on the server and on the page.
  await expect(page.locator('#live-text')).toHaveText(/^Live/);
  expect(dcrMock.clients()).toHaveLength(2);
  await expect(clientRows(page)).toHaveCount(2);

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await dialog.getByRole('button', { name: 'Reset everything' }).click();
  await expect(dialog).toBeHidden();
  await expect(clientRows(page)).toHaveCount(0);
  expect(dcrMock.clients()).toEqual([]);
});

test('a rule for another endpoint: the form offers that endpoint’s modes, and the rule fails its requests', async ({
  page,
  dcrMock,
}) => {
  const { json: client } = await register(dcrMock.registrationEndpoint, {
    client_name: 'Machine',
    grant_types: ['client_credentials'],
  });
  await openInspector(page, dcrMock.url);
  const endpoint = page.getByLabel('Endpoint', { exact: true });
  const mode = page.getByLabel('Mode', { exact: true });
  await expect(endpoint).toHaveValue('registration');
  await expect(mode.locator('option[value="invalid_redirect_uri"]')).toHaveCount(1);

  await endpoint.selectOption('token');
  await expect(mode.locator('option[value="invalid_redirect_uri"]')).toHaveCount(0);
  await expect(page.locator('#modes-endpoint')).toHaveText('token');
  // The catalogue follows the endpoint; client_name is registration's to match.
  await expect(page.locator('#modes').getByRole('button', { name: 'invalid_grant', exact: true })).toBeVisible();
  await expect(page.getByLabel('Only when client_name matches')).toBeHidden();

  await mode.selectOption('malformed_json');
  await expect(page.locator('#rule-mode-summary')).not.toBeEmpty();
  await page.getByLabel('times', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expect(page.locator('#rule-message')).toContainText('Added token:malformed_json');
  await expect(page.locator('#rules li')).toContainText('token:malformed_json');
  const rules = (await (await page.request.get(`${dcrMock.url}/__dcr/failures`)).json()).rules;
  expect(rules).toEqual([expect.objectContaining({ endpoint: 'token', mode: 'malformed_json', times: 1 })]);

  const token = await fetch(`${dcrMock.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: String(client?.['client_id']),
      client_secret: String(client?.['client_secret']),
    }),
  });
  expect(token.status).toBe(200);
  const row = journalRows(page).first();
  await expect(row.locator('.cell-request')).toContainText('/oauth/token');
  await expect(row.locator('.cell-failure')).toHaveText('malformed_json');
  // Named as the token endpoint's catalogue says it (registration's malformed_json answers 201).
  await expect(row.locator('.cell-failure .pill')).toHaveAttribute('title', '200 whose JSON body is cut off');
  await expect(page.locator('#rules li [data-counter="applied"] b')).toHaveText('1');
});

test.describe('on a phone, 390 px wide', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('no sideways scrolling; each request shows its status and failure; the rule form works', async ({
    page,
    dcrMock,
  }) => {
    await register(dcrMock.registrationEndpoint, {
      client_name: 'A client with a rather long name for a phone screen',
      redirect_uris: ['http://localhost:5173/a/rather/long/callback/path/that/would/not/fit'],
    });
    await register(dcrMock.registrationEndpoint, { client_name: 'limited' }, { 'x-dcr-mock-fail': 'rate_limited' });
    await expect(register(dcrMock.registrationEndpoint, {}, { 'x-dcr-mock-fail': 'reset' })).rejects.toThrow();
    await openInspector(page, dcrMock.url);
    await expect(journalRows(page)).toHaveCount(3);
    await journalRows(page).nth(1).locator('summary').click();
    await expect(journalRows(page).nth(1).locator('pre.answer-body')).toBeVisible();

    expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(390);
    const inView = async (selector: string) => {
      const boxes = await page.locator(selector).evaluateAll((els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect();
          return { left: box.left, right: box.right, width: box.width };
        }),
      );
      expect(boxes.length).toBeGreaterThan(0);
      for (const box of boxes) {
        expect(box.width).toBeGreaterThan(0);
        expect(box.left).toBeGreaterThanOrEqual(0);
        expect(box.right).toBeLessThanOrEqual(390);
      }
    };
    await inView('#journal > li .cell-status');
    await inView('#journal > li .cell-failure');
    await expect(journalRows(page).nth(1).locator('.cell-status')).toHaveText('429');
    await expect(journalRows(page).nth(1).locator('.cell-failure')).toHaveText('rate_limited');
    await expect(journalRows(page).first().locator('.cell-failure')).toHaveText('reset');
    await inView('#clients tbody td');

    const endpoint = page.getByLabel('Endpoint', { exact: true });
    await endpoint.scrollIntoViewIfNeeded();
    await endpoint.selectOption('token');
    await page.getByLabel('Mode', { exact: true }).selectOption('server_error');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect(page.locator('#rules li')).toContainText('token:server_error');
    await inView('#rule-form :is(input, select, button):visible');
    expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(390);

    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await inView('#reset-dialog button');
  });
});
