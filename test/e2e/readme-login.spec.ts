// The browser example of docs/testing.md ("Playwright" › "Logging a user in, in the browser"), word for word.
import { createHash } from 'node:crypto';
import { test, expect } from 'dcr-mock/playwright';

test.use({ dcrMockOptions: { login: 'consent' } });

test('the user accepts, and the code buys a token', async ({ page, dcrMock }) => {
  // Your app's callback route; here Playwright answers for it, so that no app needs to run.
  const redirect_uri = 'http://localhost:5173/callback';
  await page.route(`${redirect_uri}?*`, (route) => route.fulfill({ contentType: 'text/html', body: 'Signed in' }));

  const registration = await fetch(dcrMock.registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'My SPA', redirect_uris: [redirect_uri], token_endpoint_auth_method: 'none' }),
  });
  const { client_id } = await registration.json();
  const code_verifier = 'a-fresh-random-verifier-of-43-characters-or-more';
  const authorize = new URL('authorize', dcrMock.issuer);
  authorize.search = new URLSearchParams({
    client_id,
    redirect_uri,
    response_type: 'code',
    state: 'xyz',
    audience: 'https://api.example.com/',
    code_challenge: createHash('sha256').update(code_verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  await page.goto(authorize.href);
  await expect(page.getByRole('heading', { name: 'Authorize My SPA' })).toBeVisible();
  await page.getByRole('button', { name: 'Accept' }).click(); // 'Decline' sends error=access_denied
  await page.waitForURL(`${redirect_uri}?**`);
  const callback = new URL(page.url());
  expect(callback.searchParams.get('state')).toBe('xyz');

  const res = await fetch(`${dcrMock.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id,
      redirect_uri,
      code_verifier,
      code: String(callback.searchParams.get('code')),
    }),
  });
  expect(res.status).toBe(200);
  expect(dcrMock.tokens()[0]?.claims).toMatchObject({ aud: 'https://api.example.com/', azp: client_id });
});
