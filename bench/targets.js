// What the bench measures, as tables: a new scenario is one more row.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CALLS, POOLS } from './token-flows.js';

export const FLOOR_SCRIPT = fileURLToPath(new URL('./floor.js', import.meta.url));
export const CLI_SCRIPT = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const OIDC_PROVIDER_SCRIPT = fileURLToPath(new URL('./oidc-provider.js', import.meta.url));
export const SIGN_FLOOR_SCRIPT = fileURLToPath(new URL('./sign-floor.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/clients.json', import.meta.url));
const OIDC_PROVIDER_VERSION = JSON.parse(
  readFileSync(new URL('../node_modules/oidc-provider/package.json', import.meta.url), 'utf8'),
).version;

/** Clients in the generated db.json that `db: 'prefilled'` rows start on. */
export const PREFILLED_CLIENTS = 50_000;

/** 100 failure rules that never match the bench's registrations: the cost of checking rules. */
const NON_MATCHING_RULES = Array.from({ length: 100 }, (_, i) => [
  '--fail',
  `server_error:client_name=no-such-client-${i}`,
]).flat();

/**
 * The servers put under load. Rounds go through them in this order, again and again, so a drift of
 * the machine hits them all alike. Each one is started once, as
 * `node <script> --port 0 --quiet [--db <file>] ...args`, and kept for the whole run.
 * `db`: 'new' = a path in an empty folder (the server creates the file and it grows during the run);
 * 'prefilled' = a copy of the generated db.json of PREFILLED_CLIENTS clients.
 * `pool`: a token row, whose requests each spend a code or a refresh token made before the round
 * (bench/token-flows.js); the dcr-mock ones log in as the default user of fixtures/clients.json's
 * public fixture-native-app, with PKCE, scope `openid offline_access` and an audience (refresh-unsigned:
 * scope `offline_access` only).
 * `call`: a row that sends one request again and again, made once before the load through the server's
 * own flow (bench/token-flows.js): the MCP row's tools/call with its access token.
 * `probe: false`: a server that registers nothing, which the probe's registration skips.
 */
export const LOAD_TARGETS = [
  { name: 'floor', label: 'bare node:http server', script: FLOOR_SCRIPT },
  { name: 'mem', label: 'dcr-mock --db :memory:', script: CLI_SCRIPT, args: ['--db', ':memory:'] },
  {
    name: 'rules',
    label: 'dcr-mock --db :memory:, 100 rules that never match',
    script: CLI_SCRIPT,
    args: ['--db', ':memory:', ...NON_MATCHING_RULES],
  },
  { name: 'file', label: 'dcr-mock, db.json growing', script: CLI_SCRIPT, db: 'new' },
  {
    name: '50k',
    label: `dcr-mock, db.json of ${PREFILLED_CLIENTS.toLocaleString('en')} clients`,
    script: CLI_SCRIPT,
    db: 'prefilled',
  },
  {
    name: '50k-pages',
    label: `GET /clients?_page=1000&_per_page=25 on ${PREFILLED_CLIENTS.toLocaleString('en')} clients`,
    script: CLI_SCRIPT,
    db: 'prefilled',
    request: { method: 'GET', path: '/clients?_page=1000&_per_page=25' },
  },
  {
    name: 'sign-floor',
    label: 'bare node:http server that signs two RS256 JWTs with jose (what a refresh answer signs)',
    script: SIGN_FLOOR_SCRIPT,
    request: { method: 'POST', path: '/oauth/token' },
    probe: false,
  },
  {
    name: 'refresh',
    label: 'dcr-mock --db :memory:, refresh_token grant (rotation; a JWT access token and an id_token)',
    script: CLI_SCRIPT,
    args: ['--db', ':memory:', '--fixtures', FIXTURES],
    request: { method: 'POST', path: '/oauth/token' },
    pool: POOLS['dcr-mock-refresh'],
  },
  {
    name: 'refresh-unsigned',
    label:
      'dcr-mock --db :memory:, refresh_token grant, scope offline_access only (an opaque access token: nothing signed)',
    script: CLI_SCRIPT,
    args: ['--db', ':memory:', '--fixtures', FIXTURES],
    request: { method: 'POST', path: '/oauth/token' },
    pool: POOLS['dcr-mock-refresh-unsigned'],
  },
  {
    name: 'refresh-file',
    label: 'dcr-mock, db.json growing, refresh_token grant (each rotation journaled)',
    script: CLI_SCRIPT,
    db: 'new',
    args: ['--fixtures', FIXTURES],
    request: { method: 'POST', path: '/oauth/token' },
    pool: POOLS['dcr-mock-refresh'],
  },
  {
    name: 'code',
    label: 'dcr-mock --db :memory:, authorization_code grant (PKCE; the same tokens and a new refresh family)',
    script: CLI_SCRIPT,
    args: ['--db', ':memory:', '--fixtures', FIXTURES],
    request: { method: 'POST', path: '/oauth/token' },
    pool: POOLS['dcr-mock-code'],
  },
  {
    name: 'mcp-call',
    label: 'dcr-mock --db :memory:, POST /mcp tools/call echo with a valid token (verified; the MCP SDK answers)',
    script: CLI_SCRIPT,
    args: ['--db', ':memory:', '--fixtures', FIXTURES],
    request: { method: 'POST', path: '/mcp' },
    call: CALLS['dcr-mock-mcp-call'],
  },
  {
    name: 'oidc-provider-refresh',
    label: `oidc-provider ${OIDC_PROVIDER_VERSION}, refresh_token grant (rotation; an opaque access token and an id_token)`,
    script: OIDC_PROVIDER_SCRIPT,
    request: { method: 'POST', path: '/token' },
    pool: POOLS['oidc-provider-refresh'],
  },
];

/**
 * Spawn → first 201 received, a fresh process (and a fresh copy of its db) for each run. Runs alternate
 * between the rows, like rounds, so that the floor's start and dcr-mock's see the same machine.
 * `keys`: after the 201, time the first JWKS answer against the next (the signing key is derived lazily).
 */
export const COLD_STARTS = [
  { name: 'cold-floor', label: 'bare node:http server', script: FLOOR_SCRIPT, runs: 5 },
  { name: 'cold', label: 'dcr-mock, fresh db.json', script: CLI_SCRIPT, db: 'new', runs: 5, keys: true },
  // What reading and parsing the 50,000 clients' db.json costs a process that does nothing else.
  {
    name: 'cold-floor-50k',
    label: `bare node:http server, after reading and parsing the db.json of ${PREFILLED_CLIENTS.toLocaleString('en')} clients`,
    script: FLOOR_SCRIPT,
    db: 'prefilled',
    runs: 3,
  },
  {
    name: 'cold-50k',
    label: `dcr-mock, db.json of ${PREFILLED_CLIENTS.toLocaleString('en')} clients`,
    script: CLI_SCRIPT,
    db: 'prefilled',
    runs: 3,
    keys: true,
  },
];

/**
 * The contract's aims (PRODUCT.md and AUTHORIZATION.md, Performance aims), each a ratio between two
 * figures of the same run: `metric` of `target` over `metric` of `over` (rps: req/s; p99: p99 latency;
 * cold: median cold start), at least `atLeast` or at most `atMost`. Without `over`, the figure itself is
 * held to `atMost` (ms), or `atLeast` (jwks: the first JWKS answer after a start over the next, a ratio).
 */
export const AIMS = [
  { label: 'mem req/s >= 0.9x floor', metric: 'rps', target: 'mem', over: 'floor', atLeast: 0.9 },
  { label: 'file req/s >= 0.75x floor', metric: 'rps', target: 'file', over: 'floor', atLeast: 0.75 },
  { label: '50k req/s >= 0.75x floor', metric: 'rps', target: '50k', over: 'floor', atLeast: 0.75 },
  { label: 'file p99 <= 3x mem p99', metric: 'p99', target: 'file', over: 'mem', atMost: 3 },
  { label: '50k p99 <= 3x mem p99', metric: 'p99', target: '50k', over: 'mem', atMost: 3 },
  { label: 'cold start <= 1.5x floor', metric: 'cold', target: 'cold', over: 'cold-floor', atMost: 1.5 },
  { label: 'cold start on 50k <= 400 ms', metric: 'cold', target: 'cold-50k', atMost: 400 },
  // Not in the contract: the 50,000-client start against the least such a start can be, held to the
  // contract's ratio for a fresh start.
  {
    label: 'cold start on 50k <= 1.5x floor reading it',
    metric: 'cold',
    target: 'cold-50k',
    over: 'cold-floor-50k',
    atMost: 1.5,
  },
  { label: 'refresh req/s >= 0.25x floor', metric: 'rps', target: 'refresh', over: 'floor', atLeast: 0.25 },
  // The start derives no key: the first JWKS answer after it does, and takes several times the next.
  { label: 'cold start derives no key (1st jwks >= 5x 2nd)', metric: 'jwks', target: 'cold', atLeast: 5 },
  // Not in the contract: what 100 rules cost, since every registration checks them all.
  { label: 'rules req/s >= 0.9x mem', metric: 'rps', target: 'rules', over: 'mem', atLeast: 0.9 },
  // Not in the contract: dcr-mock's own work on a refresh, besides the two signatures it cannot avoid.
  { label: 'refresh req/s >= 0.75x sign-floor', metric: 'rps', target: 'refresh', over: 'sign-floor', atLeast: 0.75 },
];

/** The argv a row runs with, given the db file prepared for it. */
export function argvOf(row, dbPath) {
  return [row.script, '--port', '0', '--quiet', ...(dbPath ? ['--db', dbPath] : []), ...(row.args ?? [])];
}
