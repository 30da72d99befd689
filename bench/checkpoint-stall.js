#!/usr/bin/env node
// node --expose-gc bench/checkpoint-stall.js [--clients N] [--rounds R] (after npm run build): how long a checkpoint
// of db.json holds the event loop. A store of N clients (default 50,000) is opened in this process, its
// index of ids built by a first lookup (a row of its own: a start pays it once, at its first registration),
// and it is checkpointed three ways: the first after start, one after a few more registrations, and one
// after a json-server write. A probe timer that re-arms itself at once measures the longest gap between its
// turns while each runs: that is the longest a request would have waited. Reported as medians of R rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Store } from '../dist/store/store.js';
import { writeClientsDb } from './clients-db.js';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '5' } },
});
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-stall-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Runs `work`, returning its wall time and the longest gap between two turns of a probe timer meanwhile. */
async function measure(work) {
  // With --expose-gc: start clean, so that only the checkpoint's own garbage is collected while it runs.
  globalThis.gc?.();
  let last = performance.now();
  let longest = 0;
  let probing = true;
  const probe = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (probing) setImmediate(probe);
  };
  setImmediate(probe);
  const started = performance.now();
  await work();
  const wall = performance.now() - started;
  probing = false;
  // The gap that ends with the work counts too.
  await new Promise((resolve) => setImmediate(resolve));
  return { wall, longest: Math.max(longest, performance.now() - last) };
}

const client = (n) => ({
  id: `tpc_stall${n}`,
  client_id: `tpc_stall${n}`,
  client_name: `stall ${n}`,
  redirect_uris: ['https://app.example.com/callback'],
});

const runs = { idle: [], index: [], first: [], next: [], jsonServer: [] };
let sequence = CLIENTS;
for (let round = 0; round < ROUNDS; round++) {
  const db = join(dir, `db-${round}.json`);
  writeClientsDb(db, CLIENTS);
  const store = await Store.open(db);
  // The same probe with nothing to do for 200 ms: what the machine alone does to it (other processes, timers).
  runs.idle.push(await measure(() => new Promise((resolve) => setTimeout(resolve, 200))));
  // The first lookup builds the store's index of ids (a server's first registration does it): its own row, so
  // that the first checkpoint's is the checkpoint's alone.
  runs.index.push(await measure(async () => store.has('')));
  runs.first.push(
    await measure(async () => {
      store.add(client(++sequence), sequence);
      await store.flush();
    }),
  );
  runs.next.push(
    await measure(async () => {
      for (let i = 0; i < 100; i++) store.add(client(++sequence), sequence);
      await store.flush();
    }),
  );
  // As json-server does: it changes the data, then calls db.write().
  runs.jsonServer.push(
    await measure(async () => {
      store.db.data.clients[0] = { ...store.db.data.clients[0], client_name: 'edited' };
      await store.db.write();
    }),
  );
  await store.close();
  if (round === 0)
    console.log(`db.json of ${CLIENTS.toLocaleString('en')} clients: ${(statSync(db).size / 1e6).toFixed(1)} MB`);
  rmSync(db);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${x.toFixed(1)} ms`;
for (const [name, label] of [
  ['idle', 'no checkpoint (200 ms of the probe alone)'],
  ['index', 'first lookup after start (the id index)'],
  ['first', 'first checkpoint after start'],
  ['next', 'checkpoint after 100 more registrations'],
  ['jsonServer', 'checkpoint after a json-server write'],
]) {
  const r = runs[name];
  console.log(
    `${label.padEnd(42)} longest block ${fmt(median(r.map((x) => x.longest)))} (max ${fmt(Math.max(...r.map((x) => x.longest)))}), wall ${fmt(median(r.map((x) => x.wall)))}`,
  );
}
