import { startDcrMock } from '../../src/index.js';
import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// dcrMockOptions is a worker option: set in a file (or a project), it shapes that worker's server.
test.use({ dcrMockOptions: { seed: 'checkout-suite', profile: 'auth0-permissive' } });

test('the seed and profile given with test.use reach the server', async ({ dcrMock }) => {
  const { json } = await register(dcrMock.registrationEndpoint, { client_name: 'seeded' });

  const reference = await startDcrMock({ port: 0, db: ':memory:', seed: 'checkout-suite', profile: 'auth0-permissive' });
  try {
    const expected = await register(reference.registrationEndpoint, { client_name: 'seeded' });
    expect(json?.['client_id']).toBe(expected.json?.['client_id']);
  } finally {
    await reference.close();
  }
  expect(json?.['client_id']).not.toMatch(/^tpc_/);
  expect(json?.['client_id']).not.toBe('Gy7P5Nl1qlfvus191jFS5bfG5ZCLPoDb');
});
