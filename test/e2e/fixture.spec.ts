import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

// What the dcrMock fixture promises: one server per worker, empty at the start of every test.

/** The first client_id of the default seed, as the README shows it. */
const FIRST_ID = 'tpc_w0RGHfqyCUw75jgPiVl5fMXNdWSl6YC1';

test.describe('tests that share a worker', () => {
  // In order and in one worker, so the second test meets what the first left behind.
  test.describe.configure({ mode: 'default' });
  let firstUrl: string | undefined;

  test('a test leaves clients, a rule and journal entries behind', async ({ dcrMock }) => {
    firstUrl = dcrMock.url;
    expect(dcrMock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { status, json } = await register(dcrMock.registrationEndpoint, { client_name: 'left behind' });
    expect(status).toBe(201);
    expect(json?.['client_id']).toBe(FIRST_ID);
    dcrMock.fail('server_error');
    expect(dcrMock.clients()).toHaveLength(1);
  });

  test('the next test gets the same server, reset: no clients, no journal, no rules, sequence rewound', async ({
    dcrMock,
  }) => {
    expect(dcrMock.url).toBe(firstUrl);
    expect(dcrMock.clients()).toEqual([]);
    expect(dcrMock.requests()).toEqual([]);
    const { status, json } = await register(dcrMock.registrationEndpoint, { client_name: 'fresh' });
    expect(status).toBe(201);
    expect(json?.['client_id']).toBe(FIRST_ID);
  });
});

test('the server advertises its own issuer and registration endpoint', async ({ dcrMock, request }) => {
  const res = await request.get(`${dcrMock.url}/.well-known/openid-configuration`);
  expect(await res.json()).toMatchObject({
    issuer: dcrMock.issuer,
    registration_endpoint: dcrMock.registrationEndpoint,
  });
  const health = await (await request.get(`${dcrMock.url}/__dcr/health`)).json();
  expect(health).toMatchObject({ status: 'ok', profile: 'auth0' });
});
