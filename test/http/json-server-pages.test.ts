import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Low, Memory } from 'lowdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { send } from '../support/http.js';
import { start } from '../support/server.js';

// dcr-mock answers paging-only list requests itself (json-server sorts every list, which is slow
// on big stores); json-server alone, over the same data, is the oracle for what they must return.
describe('GET /clients with paging parameters', () => {
  let server: RunningServer;
  let plain: Server;
  let plainUrl: string;

  beforeAll(async () => {
    server = await start();
    for (let i = 0; i < 23; i++) {
      await send(server.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: `c${i}`, redirect_uris: ['https://a.example/cb'] }),
      });
    }
    const db = new Low(new Memory<unknown>(), server.store.db.data);
    const { createApp } = (await import('json-server/lib/app.js')) as unknown as {
      createApp: (db: Low<unknown>) => { attach: (req: unknown, res: unknown) => void };
    };
    const app = createApp(db);
    plain = createServer((req, res) => app.attach(req, res));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    plain.close();
    await server.close();
  });

  const same = async (path: string) => {
    const [ours, theirs] = await Promise.all([send(`${server.url}${path}`), send(`${plainUrl}${path}`)]);
    expect(ours.status, path).toBe(theirs.status);
    expect(ours.headers['content-type']).toBe(theirs.headers['content-type']);
    expect(ours.text, path).toBe(theirs.text);
  };

  it.each([
    '/clients',
    '/clients?_page=1',
    '/clients?_page=3&_per_page=10',
    '/clients?_page=99&_per_page=5',
    '/clients?_page=0',
    '/clients?_page=-2&_per_page=-3',
    '/clients?_per_page=4',
    '/clients?_start=2&_end=5',
    '/clients?_start=20&_limit=10',
    '/clients?_end=3',
    '/clients?_limit=2',
    '/clients?_page=abc',
    '/clients?_page=',
    '/clients?_page=2.9&_per_page=1e1',
    '/clients?_page=1&_page=2',
    '/clients?_page=1&client_name=c3',
    '/clients?_sort=-client_name&_page=1',
    '/meta',
    '/nothing?_page=1',
  ])('%s is answered as json-server answers it', same);

  it('answers any mix of paging parameters as json-server does', async () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 40 }).map(String),
      fc.constantFrom('', 'x', '1e2', '07', ' 3', '2.5', '-0'),
    );
    const pair = fc
      .tuple(fc.constantFrom('_page', '_per_page', '_start', '_end', '_limit'), value)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 4 }), async (pairs) => same(`/clients?${pairs.join('&')}`)),
      { numRuns: 150, seed: 7591 },
    );
  });
});
