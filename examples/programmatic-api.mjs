import assert from 'node:assert/strict';
import { startDcrMock } from 'dcr-mock';

const mock = await startDcrMock({ seed: 'readme' }); // a free port, a store in memory
const request = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ client_name: 'My SPA', redirect_uris: ['http://localhost:5173/callback'] }),
};
try {
  mock.fail('rate_limited:times=1'); // the next registration gets Auth0's 429
  assert.equal((await fetch(mock.registrationEndpoint, request)).status, 429);

  const res = await fetch(mock.registrationEndpoint, request);
  assert.equal(res.status, 201);
  const client = await res.json();
  assert.deepEqual(mock.clients().map((c) => c.client_id), [client.client_id]);
  assert.deepEqual(mock.requests().map((r) => r.status), [201, 429]); // newest first

  await mock.reset(); // no clients, no rules, and the sequence starts over: same seed, same ids
  const again = await (await fetch(mock.registrationEndpoint, request)).json();
  assert.equal(again.client_id, client.client_id);
} finally {
  await mock.close();
}
