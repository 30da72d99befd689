import { expect, inject, test } from 'vitest';

const url = inject('dcrMockUrl');

function register(metadata: object, headers: Record<string, string> = {}) {
  return fetch(`${url}/oidc/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(metadata),
  });
}

test('registers a client', async () => {
  const res = await register({ client_name: 'My SPA', redirect_uris: ['http://localhost:5173/callback'] });
  expect(res.status).toBe(201);
  expect(await res.json()).toMatchObject({ client_id: expect.stringMatching(/^tpc_/), client_name: 'My SPA' });
});

test('gets a 429 when this one request asks for it', async () => {
  // A failure carried by the request touches no other test, even when files run in parallel.
  const res = await register({ redirect_uris: ['http://localhost:5173/callback'] }, { 'x-dcr-mock-fail': 'rate_limited' });
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('1');
});

test('finds the client preloaded as a fixture', async () => {
  const res = await fetch(`${url}/__dcr/clients/e2e-spa`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ client_name: 'E2E SPA', token_endpoint_auth_method: 'none' });
});
