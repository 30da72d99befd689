import { startDcrMock } from '../../src/index.js';
import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// dcrMockOptions is a worker option: set in a file (or a project), it shapes that worker's server.
test.use({
  dcrMockOptions: {
    seed: 'checkout-suite',
    profile: 'auth0-permissive',
    fixtures: [
      {
        client_id: 'e2e-spa',
        client_name: 'E2E SPA',
        redirect_uris: ['http://localhost:5173/callback'],
        token_endpoint_auth_method: 'none',
      },
    ],
  },
});

test('the seed, profile and fixtures given with test.use reach the server', async ({ dcrMock }) => {
  const { json } = await register(dcrMock.registrationEndpoint, { client_name: 'seeded' });

  // The fixture client takes no place in the credential sequence: a server without it issues the same id.
  const reference = await startDcrMock({
    port: 0,
    db: ':memory:',
    seed: 'checkout-suite',
    profile: 'auth0-permissive',
  });
  try {
    const expected = await register(reference.registrationEndpoint, { client_name: 'seeded' });
    expect(json?.['client_id']).toBe(expected.json?.['client_id']);
  } finally {
    await reference.close();
  }
  expect(json?.['client_id']).not.toMatch(/^tpc_/);
  expect(dcrMock.clients().map((c) => c.client_id)).toEqual(['e2e-spa', json?.['client_id']]);
  expect(json?.['client_id']).not.toBe('w0RGHfqyCUw75jgPiVl5fMXNdWSl6YC1');
});

test.describe('the reset before each test', () => {
  // In order and in one worker, so the second test meets what the first left behind.
  test.describe.configure({ mode: 'default' });

  test('a test adds a client beside the fixture', async ({ dcrMock }) => {
    expect(dcrMock.clients().map((c) => c.client_id)).toEqual(['e2e-spa']);
    await register(dcrMock.registrationEndpoint, { client_name: 'left behind' });
    expect(dcrMock.clients()).toHaveLength(2);
  });

  test('the next test finds the fixture alone again', async ({ dcrMock }) => {
    expect(dcrMock.clients().map((c) => c.client_id)).toEqual(['e2e-spa']);
  });
});
