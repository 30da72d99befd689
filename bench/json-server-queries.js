#!/usr/bin/env node
// How long json-server's list queries hold dcr-mock's event loop on a big store. Each query runs while
// another thread asks GET /__dcr/health again and again: the slowest of those answers is about how long
// nothing else was served.
// Usage: npm run build && node bench/json-server-queries.js [--clients N] [path?query ...]
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { writeClientsDb } from './clients-db.js';
import { killAllChildren, startChild, stopChild } from './children.js';
import { CLI_SCRIPT } from './targets.js';

const { values, positionals } = parseArgs({
  options: { clients: { type: 'string', default: '50000' } },
  allowPositionals: true,
});
const CLIENTS = Number(values.clients);
const list = (n, f) => Array.from({ length: n }, (_, i) => f(i));

/** Each family of costly query at about the most that dcr-mock lets through on 50,000 clients, and past it. */
const ONE = `/clients/tpc_bench${'1'.padStart(27, '0')}`;
const QUERIES = [
  '/clients?_page=1',
  '/clients',
  '/clients?client_name=x',
  '/clients?client_name_ne=x',
  `/clients?${list(30, (i) => `k${i}=1`).join('&')}&_page=1`,
  `/clients?${list(600, (i) => `k${i}=1`).join('&')}&_page=1`,
  `/clients?${'a'.repeat(500)}=1&_page=1`,
  `/clients?${'a'.repeat(8000)}=1&_page=1`,
  '/clients?_sort=client_secret&_page=1',
  `/clients?_sort=${list(1500, (i) => `k${i}`).join(',')}&_page=1`,
  '/clients?_embed=users&_page=1',
  '/clients?_embed=clients&_page=1',
  `${ONE}?${list(600, () => '_embed=clients').join('&')}`,
  `${ONE}?${list(1000, () => '_embed=clients').join('&')}`,
];

/**
 * Asks GET /__dcr/health again and again from a thread of its own (so that reading a big answer here
 * does not delay it) until told to stop; reports the slowest.
 */
const PROBE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { get } = require('node:http');
  let stop = false;
  let slowest = 0;
  parentPort.once('message', () => { stop = true; });
  const ask = () => new Promise((resolve) =>
    get(workerData + '/__dcr/health', { agent: false }, (res) => res.resume().on('end', resolve)).on('error', resolve));
  (async () => {
    parentPort.postMessage('ready');
    while (!stop) {
      const started = performance.now();
      await ask();
      slowest = Math.max(slowest, performance.now() - started);
    }
    parentPort.postMessage(slowest);
  })();
`;

/** The answer to GET `path`, read and dropped. */
function query(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes }));
    }).on('error', reject);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-queries-'));
process.on('exit', () => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});
const db = join(dir, 'db.json');
writeClientsDb(db, CLIENTS);
const server = await startChild([CLI_SCRIPT, '--port', '0', '--db', db, '--quiet']);
// json-server's first use loads it: not part of any query's figure.
await query(`${server.url}/clients/none`);

console.log(`${CLIENTS.toLocaleString('en')} clients; loop held = the slowest GET /__dcr/health answered meanwhile`);
for (const path of positionals.length > 0 ? positionals : QUERIES) {
  const probe = new Worker(PROBE, { eval: true, workerData: server.url });
  await once(probe, 'message');
  const started = performance.now();
  const { status, bytes } = await query(`${server.url}${path}`);
  const ms = performance.now() - started;
  probe.postMessage('stop');
  const [held] = await once(probe, 'message');
  const shown = path.length > 72 ? `${path.slice(0, 60)}… (${path.length} chars)` : path;
  console.log(
    `${status}  ${String(Math.round(ms)).padStart(6)} ms  loop held ${String(Math.round(held)).padStart(6)} ms  ${String(bytes).padStart(9)} B  ${shown}`,
  );
}
await stopChild(server);
