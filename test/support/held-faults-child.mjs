// Run by test/http/failure-leaks.test.ts, after `npm run build`. Starts a mock, holds sockets and
// timers with long faults, lets clients give up on some, closes the mock while others are still
// held, prints what it saw and what is left, and must then exit on its own.
import { get, request } from 'node:http';
import { startDcrMock } from '../../dist/index.js';

const HELD = 'ms=60000';
const MODES = ['timeout', 'slow_body', 'delay'];
const before = process.getActiveResourcesInfo();
const mock = await startDcrMock({ port: 0, db: ':memory:' });
// One rule per mode and round, chosen by client_name, so the control plane can tell when each was applied.
for (const round of ['abandoned', 'pending']) {
  for (const mode of MODES) mock.fail(`${mode}:${HELD},client_name=${round}-${mode}`);
}

/** Resolves, once the exchange is closed, with how it ended: 'complete', or the error's code or name. */
function post(name, signal) {
  return new Promise((resolve) => {
    let outcome;
    let responded = false;
    const req = request(mock.registrationEndpoint, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' },
      ...(signal ? { signal } : {}),
    });
    req.on('error', (err) => (outcome ??= err.code ?? err.name));
    req.on('close', () => responded || resolve(outcome));
    req.on('response', (res) => {
      responded = true;
      res.on('error', (err) => (outcome ??= err.code ?? err.name));
      res.on('end', () => (outcome ??= 'complete'));
      res.on('close', () => resolve(outcome));
      res.resume();
    });
    req.end(JSON.stringify({ client_name: name, redirect_uris: ['http://localhost:3000/callback'] }));
  });
}

function rules() {
  return new Promise((resolve, reject) => {
    get(`${mock.url}/__dcr/failures`, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s) => (text += s));
      res.on('end', () => resolve(JSON.parse(text).rules));
    }).on('error', reject);
  });
}

/** Polls (bounded) until `done` holds. */
async function until(done) {
  for (let i = 0; i < 500; i++) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

// Clients that give up after 200 ms; the server sees each of them go (its journal entry is written then).
const abandoned = await Promise.all(MODES.map((mode) => post(`abandoned-${mode}`, AbortSignal.timeout(200))));
const allJournaled = await until(() => mock.requests().length === MODES.length);
const journaled = mock
  .requests()
  .map((e) => `${e.failure}:${e.status}`)
  .sort();

// Clients still waiting when the mock closes: close() must end their faults at once.
const pending = MODES.map((mode) => post(`pending-${mode}`));
const allHeld = await until(async () => (await rules()).filter((r) => r.applied === 1).length === 2 * MODES.length);
await mock.close();
const cut = await Promise.all(pending);
await new Promise((r) => setImmediate(r));

process.stdout.write(
  `${JSON.stringify({ abandoned, allJournaled, journaled, allHeld, cut, before, after: process.getActiveResourcesInfo() })}\n`,
);
