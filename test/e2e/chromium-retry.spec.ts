import type { Page } from '@playwright/test';
import { expect, test } from 'dcr-mock/playwright';

// What docs/failure-modes.md says of `reset` in a browser: Chromium sends a request again, once, when the
// keep-alive connection it reused was reset or closed before any answer, POST included. A rule that a retry meets too
// shows the reset; `times=1` is spent on the first try and the page sees the retry's 201.

/** The page's POST of a registration, from the example app's loopback origin: its status, or "network error". */
const post = (page: Page, endpoint: string) =>
  page.evaluate(
    (url) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['http://localhost/cb'] }),
      }).then(
        (res) => res.status,
        () => 'network error',
      ),
    endpoint,
  );

/** The journal's registrations, oldest first: status and failure. */
const registrations = (requests: ReadonlyArray<{ method: string; path: string; status: number; failure?: string }>) =>
  requests
    .filter((r) => r.method === 'POST' && r.path === '/oidc/register')
    .reverse()
    .map((r) => `${r.status} ${r.failure ?? ''}`.trim());

test.beforeEach(async ({ page, dcrMock }) => {
  await page.goto('/');
  // A first registration leaves an idle keep-alive connection for the next to reuse.
  expect(await post(page, dcrMock.registrationEndpoint)).toBe(201);
});

for (const mode of ['reset', 'empty_response']) {
  test(`${mode}:times=1 looks like a success: the retry gets the 201`, async ({ page, dcrMock }) => {
    dcrMock.fail(`${mode}:times=1`);
    expect(await post(page, dcrMock.registrationEndpoint)).toBe(201);
    expect(registrations(dcrMock.requests())).toEqual(['201', `0 ${mode}`, '201']);
  });
}

for (const { how, endpoint, rule } of [
  { how: 'the request asks for it (?__fail=reset)', endpoint: '?__fail=reset', rule: undefined },
  { how: 'a rule without times, until cleared', endpoint: '', rule: 'reset' },
]) {
  test(`a reset shows when ${how}: the retry is reset too`, async ({ page, dcrMock }) => {
    if (rule) dcrMock.fail(rule);
    expect(await post(page, `${dcrMock.registrationEndpoint}${endpoint}`)).toBe('network error');
    expect(registrations(dcrMock.requests())).toEqual(['201', '0 reset', '0 reset']);
    dcrMock.clearFailures();
    expect(await post(page, dcrMock.registrationEndpoint)).toBe(201);
  });
}
