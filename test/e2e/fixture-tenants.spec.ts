import { expect, test } from 'dcr-mock/playwright';
import { register } from './support/register.js';

test.use({ dcrMockOptions: { tenants: ['a', 'b'] } });

test.describe('the fixture with tenants', () => {
  // In order and in one worker, so the second test meets what the first left behind.
  test.describe.configure({ mode: 'default' });

  test('dcrMock.tenant(name) is that tenant: its issuer, its clients', async ({ dcrMock, request }) => {
    expect(dcrMock.tenants).toEqual(['a', 'b']);
    const a = dcrMock.tenant('a');
    expect(a.issuer).toBe(`${dcrMock.url}/t/a/`);
    const metadata = await (await request.get(`${dcrMock.url}/.well-known/openid-configuration/t/a`)).json();
    expect(metadata.issuer).toBe(a.issuer);
    const { json } = await register(a.registrationEndpoint, { client_name: 'at a' });
    expect(a.clients().map((c) => c.client_id)).toEqual([json?.['client_id']]);
    expect(dcrMock.tenant('b').clients()).toEqual([]);
    expect(dcrMock.clients()).toEqual([]);
  });

  test('the reset before each test reaches every tenant', async ({ dcrMock }) => {
    expect(dcrMock.tenant('a').clients()).toEqual([]);
  });
});
