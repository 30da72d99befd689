#!/usr/bin/env node
// npm run bench:big: dcr-mock with 50,000 clients in db.json against an empty one, measured in the same run.
// Start-up (spawn to URL line, spawn to first 201), registration throughput, and json-server's paged reads.
// Usage: node bench/big-store.js [--clients N] [--duration S] [--rounds R] [--connections C]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { CredentialFactory } from '../dist/registration/credentials.js';
import { PROFILE_SPECS, auth0Response } from '../dist/registration/profiles.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50000' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
  },
});
const CLIENTS = Number(values.clients);
const DURATION = Number(values.duration);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const SEED = 'dcr-mock';
const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const BODY = JSON.stringify({ client_name: 'bench', redirect_uris: ['https://app.example.com/callback'] });

const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-big-'));
const children = new Set();
const cleanUp = () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanUp);
process.once('SIGINT', () => process.exit(130));

/** db.json as dcr-mock itself would have written it after `count` registrations with the default seed. */
function writeBigDb(path, count) {
  const credentials = new CredentialFactory(SEED);
  const profile = PROFILE_SPECS.auth0;
  const created_at = new Date('2026-01-01T00:00:00Z').toISOString();
  const clients = [];
  for (let n = 1; n <= count; n++) {
    const issued = credentials.issue(n, profile.idPrefix);
    const response = auth0Response(
      profile,
      { client_name: `client ${n}`, redirect_uris: [`https://app${n}.example.com/callback`] },
      issued,
    );
    clients.push({ id: issued.client_id, client_id: issued.client_id, ...response, created_at });
  }
  writeFileSync(path, JSON.stringify({ clients, meta: { sequence: count, epoch: 0 } }, null, 2));
}

/** Spawns the CLI; resolves when it has printed its URL. */
function startServer(db) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, '--port', '0', '--db', db, '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before printing its URL`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ child, url: out.split('\n')[0].trim(), urlMs: performance.now() - started, started });
    });
  });
}

async function stopServer({ child }) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function firstRegistration(url) {
  const res = await fetch(`${url}/oidc/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  if (res.status !== 201) throw new Error(`the first registration got ${res.status}`);
  await res.arrayBuffer();
}

/** Spawn to URL line and spawn to first 201, in ms; the server is stopped after. */
async function coldStart(db) {
  const server = await startServer(db);
  await firstRegistration(server.url);
  const firstMs = performance.now() - server.started;
  await stopServer(server);
  return { urlMs: server.urlMs, firstMs };
}

function load(url, options) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...options }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function registrationRate(db) {
  const server = await startServer(db);
  const result = await load(`${server.url}/oidc/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  await stopServer(server);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`registration load: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x)} ms`;

const bigDb = join(dir, 'big.json');
const t0 = performance.now();
writeBigDb(bigDb, CLIENTS);
console.log(
  `db.json with ${CLIENTS.toLocaleString('en')} clients: ${(statSync(bigDb).size / 1e6).toFixed(1)} MB, written in ${ms(performance.now() - t0)}`,
);

// Cold starts: a fresh copy each time, since a start folds nothing in but a run adds clients.
const cold = { empty: [], big: [] };
for (let round = 0; round < 3; round++) {
  const empty = join(dir, `empty-cold-${round}.json`);
  cold.empty.push(await coldStart(empty));
  const big = join(dir, `big-cold-${round}.json`);
  writeBigDb(big, CLIENTS);
  cold.big.push(await coldStart(big));
}
const summary = (runs) => ({ urlMs: median(runs.map((r) => r.urlMs)), firstMs: median(runs.map((r) => r.firstMs)) });
const coldEmpty = summary(cold.empty);
const coldBig = summary(cold.big);
console.log(
  `start-up, empty db.json:   ${ms(coldEmpty.urlMs)} to the URL line, ${ms(coldEmpty.firstMs)} to the first 201 (median of 3)`,
);
console.log(
  `start-up, ${CLIENTS} clients: ${ms(coldBig.urlMs)} to the URL line, ${ms(coldBig.firstMs)} to the first 201 (median of 3)`,
);

// Registration throughput, alternating so that both see the same machine load.
const rates = { empty: [], big: [] };
for (let round = 0; round < ROUNDS; round++) {
  rates.empty.push(await registrationRate(join(dir, `empty-load-${round}.json`)));
  const big = join(dir, `big-load-${round}.json`);
  writeBigDb(big, CLIENTS);
  rates.big.push(await registrationRate(big));
}
const rateEmpty = median(rates.empty);
const rateBig = median(rates.big);
console.log(
  `registrations/s over ${CONNECTIONS} connections, ${DURATION} s rounds: empty ${Math.round(rateEmpty)}, ${CLIENTS} clients ${Math.round(rateBig)} (rounds: ${rates.empty.map(Math.round).join('/')} vs ${rates.big.map(Math.round).join('/')})`,
);
console.log(`ratio ${CLIENTS} clients / empty: ${(rateBig / rateEmpty).toFixed(2)} (aim: at least 0.50)`);

// json-server's paged reads over the big store.
const server = await startServer(bigDb);
const pages = [1, Math.floor(CLIENTS / 50), Math.floor(CLIENTS / 25)];
for (const page of pages) {
  const started = performance.now();
  const res = await fetch(`${server.url}/clients?_page=${page}&_per_page=25`);
  const body = await res.json();
  console.log(
    `GET /clients?_page=${page}&_per_page=25: ${res.status}, ${body.data?.length ?? 0} clients, ${ms(performance.now() - started)} (first request)`,
  );
}
const paged = await load(`${server.url}/clients?_page=${pages[1]}&_per_page=25`, { duration: Math.min(DURATION, 3) });
console.log(
  `GET /clients?_page=…: ${Math.round(paged.requests.average)} requests/s, p50 ${paged.latency.p50} ms, p99 ${paged.latency.p99} ms`,
);
await stopServer(server);

const ok = coldBig.urlMs < 2000 && rateBig >= 0.5 * rateEmpty;
console.log(ok ? 'aims met: start-up under 2 s and at least half the empty-store throughput' : 'AIMS MISSED');
process.exitCode = ok ? 0 : 1;
