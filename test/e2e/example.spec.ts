import { expect, test } from 'dcr-mock/playwright';

// The example app (examples/browser-client), served from loopback at baseURL, registering itself
// against the worker's dcr-mock.

test.beforeEach(async ({ page, dcrMock }) => {
  await page.goto(`/?issuer=${encodeURIComponent(dcrMock.issuer)}`);
});

test('a registration shows the credentials the server issued', async ({ page, dcrMock }) => {
  await page.getByLabel('Token endpoint auth method').selectOption('client_secret_post');
  await page.getByRole('button', { name: 'Register' }).click();

  await expect(page.locator('#result-title')).toHaveText('Registered');
  await expect(page.locator('#client-id')).toHaveText(/^tpc_[A-Za-z0-9]{32}$/);
  await expect(page.locator('#client-secret')).toHaveText(/^[A-Za-z0-9_-]{64}$/);
  const [stored] = dcrMock.clients();
  await expect(page.locator('#client-id')).toHaveText(String(stored?.client_id));
});

const FAILURES = [
  { spec: 'rate_limited', title: 'Rate limited (429 too_many_requests)', detail: /Retry after 1 s\./ },
  { spec: 'rate_limited:retry_after=30', title: 'Rate limited (429 too_many_requests)', detail: /Retry after 30 s\./ },
  {
    spec: 'invalid_redirect_uri',
    title: 'Registration refused (400 invalid_redirect_uri)',
    detail: /redirect_uris must .*Check the redirect URI/,
  },
  {
    spec: 'invalid_client_metadata',
    title: 'Registration refused (400 invalid_client_metadata)',
    detail: /Check the client metadata/,
  },
  {
    spec: 'registration_disabled',
    title: 'Registration refused (400)',
    detail: /dynamic client registration is disabled/,
  },
  { spec: 'too_many_entities', title: 'Forbidden (403 too_many_entities)', detail: /limit of entities/ },
  {
    spec: 'invalid_token',
    title: 'Unauthorized (401 invalid_token)',
    detail: /initial access token.*Bearer error="invalid_token"/,
  },
  { spec: 'server_error', title: 'Server error (500)', detail: /not the client's fault\. Try again later\./ },
  { spec: 'bad_gateway', title: 'Server error (502)', detail: /not the client's fault/ },
  { spec: 'service_unavailable:retry_after=5', title: 'Server error (503)', detail: /Retry after 5 s\./ },
  { spec: 'malformed_json', title: 'Unreadable answer (201)', detail: /body is not JSON/ },
  { spec: 'missing_client_id', title: 'Invalid answer (201)', detail: /without a client_id/ },
  // Network faults apply to every registration until cleared: a browser may resend a request whose
  // reused connection was reset, and that second try must fail too.
  { spec: 'reset', title: 'Network failure', detail: /did not complete: the connection was refused, reset or blocked/ },
  { spec: 'empty_response', title: 'Network failure', detail: /did not complete/ },
];

for (const { spec, title, detail } of FAILURES) {
  test(`${spec}: the page says what went wrong, then recovers`, async ({ page, dcrMock }) => {
    dcrMock.fail(spec);
    await page.getByRole('button', { name: 'Register' }).click();

    await expect(page.locator('#result-title')).toHaveText(title);
    await expect(page.locator('#result-detail')).toHaveText(detail);
    await expect(page.locator('#credentials')).toBeHidden();
    expect(dcrMock.clients()).toEqual([]);

    dcrMock.clearFailures();
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.locator('#result-title')).toHaveText('Registered');
    await expect(page.locator('#client-id')).toHaveText(/^tpc_/);
  });
}

test('a server that is not there is a network failure', async ({ page }) => {
  await page.goto('/?issuer=http://127.0.0.1:9/');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.locator('#result-title')).toHaveText('Network failure');
  await expect(page.locator('#result-detail')).toContainText('http://127.0.0.1:9/.well-known/openid-configuration');
});
