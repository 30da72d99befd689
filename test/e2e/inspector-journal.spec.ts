import type { Page } from '@playwright/test';
import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// The inspector's request journal: each request opened on the answer it got, and the filters over it.

const journalRows = (page: Page) => page.locator('#journal > li');

async function openInspector(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await expect(page.locator('#live')).toHaveAttribute('data-state', 'live');
}

/** Five requests: 201, 400 (invalid_redirect_uri), 500 (server_error), a cut connection (reset), a discovery 200. */
async function fiveRequests(endpoint: string, url: string): Promise<void> {
  expect((await register(endpoint, { client_name: 'fine' })).status).toBe(201);
  expect(
    (await register(endpoint, { client_name: 'bad uri' }, { 'x-dcr-mock-fail': 'invalid_redirect_uri' })).status,
  ).toBe(400);
  expect((await register(endpoint, { client_name: 'broken' }, { 'x-dcr-mock-fail': 'server_error' })).status).toBe(500);
  await expect(register(endpoint, { client_name: 'cut' }, { 'x-dcr-mock-fail': 'reset' })).rejects.toThrow();
  expect((await fetch(`${url}/.well-known/openid-configuration`)).status).toBe(200);
}

test('a request opens on its answer: status, headers, body, and the failure applied named', async ({
  page,
  dcrMock,
}) => {
  await openInspector(page, dcrMock.url);
  dcrMock.fail('rate_limited:times=1');
  expect((await register(dcrMock.registrationEndpoint, { client_name: 'limited' })).status).toBe(429);
  const row = journalRows(page).first();
  await expect(row.locator('.cell-failure')).toHaveText('rate_limited');
  // What the failure does, from the catalogue, on the pill.
  await expect(row.locator('.cell-failure .pill')).toHaveAttribute('title', /429/);

  await row.locator('summary').click();
  const request = row.getByRole('region', { name: 'Request' });
  const answer = row.getByRole('region', { name: 'Answer' });
  await expect(request).toContainText('POST /oidc/register');
  await expect(request.locator('pre')).toContainText('"client_name": "limited"');
  await expect(answer.locator('.badge')).toHaveText('429');
  await expect(answer).toContainText('failure applied: rate_limited');
  const headers = answer.getByLabel('Answer headers');
  await expect(headers).toContainText('retry-after');
  await expect(headers).toContainText('x-dcr-mock-failure');
  await expect(headers).toContainText('application/json');
  await expect(answer.locator('pre.answer-body')).toContainText('"error": "too_many_requests"');
  // Request and answer side by side on a wide screen.
  const [left, right] = [await request.boundingBox(), await answer.boundingBox()];
  expect(right?.x).toBeGreaterThan((left?.x ?? 0) + (left?.width ?? 0) - 1);

  // A registration that succeeds: its answer is the client, as the client got it.
  const { json } = await register(dcrMock.registrationEndpoint, { client_name: 'through' });
  const created = journalRows(page).first();
  await expect(created.locator('.cell-status')).toHaveText('201');
  await created.locator('summary').click();
  await expect(created.locator('pre.answer-body')).toContainText(String(json?.['client_secret']));
  await expect(created.getByRole('region', { name: 'Answer' })).toContainText('no failure applied');
});

test('a cut connection is shown as no answer, with nothing in it', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await expect(register(dcrMock.registrationEndpoint, {}, { 'x-dcr-mock-fail': 'reset' })).rejects.toThrow();
  const row = journalRows(page).first();
  await expect(row.locator('.cell-status')).toHaveText('no answer');
  await row.locator('summary').click();
  await expect(row.getByRole('region', { name: 'Answer' })).toContainText('The connection ended without an answer');
  await expect(row.locator('pre.answer-body')).toHaveCount(0);
});

test('the filters narrow the journal by status, path and failure, and clear back', async ({ page, dcrMock }) => {
  await openInspector(page, dcrMock.url);
  await fiveRequests(dcrMock.registrationEndpoint, dcrMock.url);
  await expect(journalRows(page)).toHaveCount(5);
  await expect(page.getByRole('button', { name: 'Clear filters' })).toBeDisabled();

  const status = page.getByLabel('Status', { exact: true });
  const path = page.getByLabel('Path contains');
  const failure = page.getByLabel('Failure', { exact: true });
  const statuses = () => journalRows(page).locator('.cell-status').allTextContents();

  for (const [choice, expected] of [
    ['2xx', ['200', '201']],
    ['4xx', ['400']],
    ['5xx', ['500']],
    ['none', ['no answer']],
    ['3xx', []],
  ] as const) {
    await status.selectOption(choice);
    await expect.poll(statuses).toEqual(expected);
  }
  await expect(page.locator('#journal-unmatched')).toBeVisible();
  await expect(page.locator('#journal-count')).toHaveText('0 of 5');
  await status.selectOption('');

  await path.fill('well-known');
  await expect(journalRows(page)).toHaveCount(1);
  await expect(journalRows(page)).toContainText('/.well-known/openid-configuration');
  await path.fill('REGISTER');
  await expect(journalRows(page)).toHaveCount(4);
  await path.fill('');

  // The failure choice lists the failures the journal holds.
  await expect(failure.locator('option')).toHaveText([
    'with or without a failure',
    'a failure applied',
    'no failure',
    'invalid_redirect_uri',
    'reset',
    'server_error',
  ]);
  await failure.selectOption('any');
  await expect.poll(statuses).toEqual(['no answer', '500', '400']);
  await failure.selectOption('none');
  await expect.poll(statuses).toEqual(['200', '201']);
  await failure.selectOption('server_error');
  await expect.poll(statuses).toEqual(['500']);

  // Filters add up; a request that comes in while filtering is shown only when it matches.
  await failure.selectOption('any');
  await status.selectOption('4xx');
  await expect.poll(statuses).toEqual(['400']);
  await expect(page.locator('#journal-count')).toHaveText('1 of 5');
  await register(dcrMock.registrationEndpoint, {}, { 'x-dcr-mock-fail': 'invalid_client_metadata' });
  await register(dcrMock.registrationEndpoint, {});
  await expect(page.locator('#journal-count')).toHaveText('2 of 7');
  await expect.poll(statuses).toEqual(['400', '400']);
  await expect(status).toHaveValue('4xx');

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(journalRows(page)).toHaveCount(7);
  await expect(page.locator('#journal-count')).toHaveText('7');
  await expect(status).toHaveValue('');
  await expect(path).toHaveValue('');
  await expect(failure).toHaveValue('');
});
