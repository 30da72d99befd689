import type { Page } from '@playwright/test';
import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// The inspector at `/`, served by the worker's dcr-mock, kept live by polling the control plane.

const clientRows = (page: Page) => page.locator('#clients tbody tr');
const journalRows = (page: Page) => page.locator('#journal > li');
const ruleItems = (page: Page) => page.locator('#rules li');

/** Opens the inspector and marks the document, so a test can tell that it was never reloaded. */
async function openInspector(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}

async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
}

test('a registration made over HTTP shows up in the clients table and the journal', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await expect(page.locator('#clients-empty')).toBeVisible();
  await expect(page.locator('#journal-empty')).toBeVisible();

  const { status, json } = await register(dcrMock.registrationEndpoint, {
    client_name: 'Checkout SPA',
    redirect_uris: ['http://localhost:5173/callback', 'http://localhost:5173/silent'],
    token_endpoint_auth_method: 'none',
  });
  expect(status).toBe(201);

  const row = clientRows(page);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Checkout SPA');
  await expect(row).toContainText(String(json?.['client_id']));
  await expect(row).toContainText('http://localhost:5173/callback');
  await expect(row).toContainText('http://localhost:5173/silent');
  await expect(row).toContainText('none');
  await expect(page.locator('#clients-count')).toHaveText('1');

  const entry = journalRows(page).first();
  await expect(entry).toContainText('POST');
  await expect(entry).toContainText('/oidc/register');
  await expect(entry.locator('.cell-status')).toHaveText('201');
  await expect(entry).toContainText(String(json?.['client_id']));
  await expect(page.locator('#fact-sequence')).toHaveText('#2');
  await expectNoReload(page);
});

test('the journal is newest first and a body expands, and stays open while the page refreshes', async ({
  page,
  dcrMock,
}) => {
  await openInspector(page, dcrMock.url);
  await register(dcrMock.registrationEndpoint, { client_name: 'first' });
  await expect(journalRows(page)).toHaveCount(1);

  await journalRows(page).first().locator('summary').click();
  const body = journalRows(page).first().locator('pre.request-body');
  await expect(body).toBeVisible();
  await expect(body).toContainText('"client_name": "first"');

  await register(dcrMock.registrationEndpoint, { client_name: 'second' }, { 'x-dcr-mock-fail': 'server_error' });
  await expect(journalRows(page)).toHaveCount(2);
  await expect(journalRows(page).first()).toContainText('second');
  await expect(journalRows(page).first().locator('.cell-status')).toHaveText('500');
  await expect(journalRows(page).first()).toContainText('server_error');
  // The older entry, now second, kept its body open across the redraw.
  await expect(journalRows(page).nth(1).locator('pre.request-body')).toContainText('"client_name": "first"');
});

test('a rule added through the form fails the next registration and shows in the journal', async ({
  page,
  dcrMock,
}) => {
  await openInspector(page, dcrMock.url);
  await expect(page.locator('#rules-empty')).toBeVisible();

  await page.getByLabel('Mode', { exact: true }).selectOption('rate_limited');
  await expect(page.locator('#rule-mode-summary')).toContainText('429');
  await page.getByLabel('times', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Add rule' }).click();

  const rule = ruleItems(page);
  await expect(rule).toHaveCount(1);
  await expect(rule).toContainText('rate_limited');
  await expect(rule.locator('[data-counter="remaining"] b')).toHaveText('1');
  await expect(page.locator('#rule-message')).toContainText('Added rate_limited');

  expect((await register(dcrMock.registrationEndpoint, { client_name: 'limited' })).status).toBe(429);
  await expect(journalRows(page).first().locator('.cell-status')).toHaveText('429');
  await expect(journalRows(page).first()).toContainText('rate_limited');
  await expect(rule.locator('[data-counter="applied"] b')).toHaveText('1');
  await expect(rule.locator('[data-counter="remaining"] b')).toHaveText('0');

  expect((await register(dcrMock.registrationEndpoint, { client_name: 'through' })).status).toBe(201);
  await expect(clientRows(page)).toHaveCount(1);
  await expect(clientRows(page)).toContainText('through');
});

test('the form sends every field: after, rate, ms and a client_name match', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await page.getByLabel('Mode', { exact: true }).selectOption('timeout');
  await page.getByLabel('after', { exact: true }).fill('2');
  await page.getByLabel('rate', { exact: true }).fill('0.5');
  await page.getByLabel('ms', { exact: true }).fill('1500');
  await page.getByLabel('Only when client_name matches').fill('/^ci-/');
  await page.getByRole('button', { name: 'Add rule' }).click();

  await expect(ruleItems(page)).toContainText('after 2 · rate 0.5 · ms 1500 · client_name ~ /^ci-/');
  const response = await page.request.get(`${dcrMock.url}/__dcr/failures`);
  expect((await response.json()).rules).toEqual([
    expect.objectContaining({
      mode: 'timeout',
      after: 2,
      rate: 0.5,
      ms: 1500,
      match: { client_name: '/^ci-/' },
      source: 'runtime',
    }),
  ]);
  // The form is cleared for the next rule.
  await expect(page.getByLabel('after', { exact: true })).toHaveValue('');
});

test('a rule the server refuses shows its reason', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await page.getByLabel('Mode', { exact: true }).selectOption('delay');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expect(page.locator('#rule-message')).toHaveText(/delay needs ms/);
  await expect(page.locator('#rule-message')).toHaveClass(/message-error/);
  await expect(ruleItems(page)).toHaveCount(0);
});

test('a mode picked in the catalogue fills the form', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await page.locator('#modes').getByRole('button', { name: 'service_unavailable', exact: true }).click();
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('service_unavailable');
  await expect(page.locator('#rule-mode-summary')).toContainText('503 with Retry-After');
});

test('the remove button deletes a run-time rule', async ({ page, dcrMock }) => {
  const [added] = dcrMock.fail('server_error');
  await openInspector(page, dcrMock.url);
  await expect(ruleItems(page)).toHaveCount(1);

  await page.getByRole('button', { name: `Remove rule ${added?.id}` }).click();
  await expect(ruleItems(page)).toHaveCount(0);
  await expect(page.locator('#rules-empty')).toBeVisible();
  expect((await register(dcrMock.registrationEndpoint, {})).status).toBe(201);
});

test('reset empties clients, journal and rules', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await register(dcrMock.registrationEndpoint, { client_name: 'one' });
  await register(dcrMock.registrationEndpoint, { client_name: 'two' });
  dcrMock.fail('bad_gateway:times=3');
  await expect(clientRows(page)).toHaveCount(2);
  await expect(ruleItems(page)).toHaveCount(1);

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Reset the server?' })
    .getByRole('button', { name: 'Reset everything' })
    .click();
  await expect(clientRows(page)).toHaveCount(0);
  await expect(journalRows(page)).toHaveCount(0);
  await expect(ruleItems(page)).toHaveCount(0);
  await expect(page.locator('#clients-empty')).toBeVisible();
  await expect(page.locator('#fact-sequence')).toHaveText('#1');
  expect(dcrMock.clients()).toEqual([]);
  await expectNoReload(page);
});

test('client names and bodies are shown as text, never run as markup', async ({ page, dcrMock }) => {
  const hostile = '<img src=x onerror="window.__owned=1"><script>window.__owned=2</script>';
  await openInspector(page, dcrMock.url);
  await register(dcrMock.registrationEndpoint, {
    client_name: hostile,
    redirect_uris: ['http://localhost/"><b>bold</b>'],
  });
  await register(
    dcrMock.registrationEndpoint,
    { client_name: hostile },
    { 'x-dcr-mock-fail': 'invalid_client_metadata' },
  );

  await expect(clientRows(page).locator('.name')).toHaveText(hostile);
  await expect(clientRows(page)).toContainText('http://localhost/"><b>bold</b>');
  await expect(journalRows(page)).toHaveCount(2);
  await journalRows(page).first().locator('summary').click();
  await expect(journalRows(page).first().locator('pre.request-body')).toContainText(
    '<script>window.__owned=2</script>',
  );
  // The answer repeats the hostile name in its error_description, as text too.
  await expect(journalRows(page).first().locator('.exchange-answer')).toContainText('invalid_client_metadata');
  await expect(page.locator('main img, main script, main b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
});

test('a server that stops is shown as unreachable', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await page.route('**/__dcr/**', (route) => route.abort('connectionrefused'));
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'offline');
  await expect(page.locator('#live-text')).toHaveText('Server unreachable · retrying');
  await page.unroute('**/__dcr/**');
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
});
