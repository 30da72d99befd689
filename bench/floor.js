#!/usr/bin/env node
// The floor: the least a Node.js HTTP server can do to answer a registration. It reads the whole
// request body and sends a fixed 201 with the same headers and a body of the same shape as
// dcr-mock's, so the difference between the two is dcr-mock's own work. With --db, it first reads and
// parses that JSON file and keeps what it parsed, as the least a server that starts on a db.json must do.
//
// Usage: node bench/floor.js [--port N] [--db FILE] [--quiet]   (prints its base URL as the first stdout line)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, db: { type: 'string' }, quiet: { type: 'boolean' } },
});

// Read as dcr-mock reads db.json (src/store/journaled-file.ts), and kept, as a store keeps what it read.
export const db = values.db === undefined ? undefined : JSON.parse(await readFile(values.db, 'utf8'));

const BODY = Buffer.from(
  JSON.stringify({
    client_name: 'bench',
    client_id: 'tpc_w0RGHfqyCUw75jgPiVl5fMXNdWSl6YC1',
    client_secret: '5flr660mWkKgwUww5jVwDGTu3w42uGU-3n32PGtkN17F6DmSqar7b2ncvETg7OCH',
    client_secret_expires_at: 0,
    redirect_uris: ['http://localhost:5173/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  }),
);

// What dcr-mock sends with a 201 (CORS on every route, no caching of credentials).
const HEADERS = {
  'access-control-allow-origin': '*',
  vary: 'origin',
  'access-control-expose-headers':
    'retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, www-authenticate, location, x-dcr-mock-failure',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-type': 'application/json; charset=utf-8',
  'content-length': BODY.length,
};

const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks).toString('utf8');
    res.writeHead(201, HEADERS);
    res.end(BODY);
  });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
