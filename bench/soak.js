#!/usr/bin/env node
// npm run soak [-- --seconds N] [--connections C]: a dcr-mock server (bench/soak-child.js) under a
// mix of good registrations, bad inputs, every failure mode (through x-dcr-mock-fail) and control-plane
// calls for N seconds (default 300). Memory (VmRSS and the V8 heap, after a GC) is printed every 10 s so
// that a leak shows as a climb, with its trend at the end; memory and open handles are also sampled after
// warm-up and at the end, each time after a reset and a GC: exits 1 unless RSS stays within 20% and the
// heap grows by no more than 25%, the handles are back to the baseline, nothing got an answer it should
// not have, and the server saw no unhandled rejection.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rssOf } from './proc.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '300' }, connections: { type: 'string', default: '8' } },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
if (!(SECONDS > 0) || !(CONNECTIONS > 0)) {
  console.error('[soak] Failed to start: --seconds and --connections must be positive numbers.');
  process.exit(2);
}
const WARMUP_MS = Math.min(10_000, SECONDS * 100);
const RESET_EVERY_MS = 5_000;
const SAMPLE_EVERY_MS = 10_000;
const MAX_RSS_GROWTH = 0.2;
const MAX_HEAP_GROWTH = 0.25;

const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-soak-'));
const child = fork(fileURLToPath(new URL('./soak-child.js', import.meta.url)), [join(dir, 'db.json')], {
  execArgv: ['--expose-gc'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const cleanUp = () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanUp);
process.once('SIGINT', () => process.exit(130));

const ask = async (type) => {
  child.send({ type });
  for (;;) {
    const [message] = await once(child, 'message');
    if (message.type === (type === 'stop' ? 'stopped' : type)) return message;
  }
};
/** A sample, with RSS read from /proc/<pid>/status (VmRSS) where there is one, as the bench reads it. */
const sampleMemory = async () => {
  const s = await ask('sample');
  return { ...s, rss: rssOf(child.pid) ?? s.rss };
};

const [ready] = await once(child, 'message');
const base = ready.url;

// A seeded generator, so that a run's mix of requests is the same every time.
let state = 0x2545f491;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};

const good = (name) => JSON.stringify({ client_name: name, redirect_uris: ['https://app.example.com/callback'] });
const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

/** What a request is, and the statuses it may get (0: the connection ended without an answer). */
const ACTIONS = [
  { weight: 30, name: 'register', make: (i) => ({ path: '/oidc/register', body: good(`soak-${i}`) }), ok: [201] },
  { weight: 3, name: 'bad json', make: () => ({ path: '/oidc/register', body: '{"redirect_uris":' }), ok: [400] },
  {
    weight: 3,
    name: 'bad metadata',
    make: () => ({ path: '/oidc/register', body: '{"redirect_uris":["javascript:x"],"grant_types":7}' }),
    ok: [400],
  },
  {
    weight: 1,
    name: 'too big',
    make: () => ({ path: '/oidc/register', body: `{"client_name":"${'x'.repeat(70_000)}"}` }),
    ok: [413, 0],
  },
  { weight: 1, name: 'deep', make: () => ({ path: '/oidc/register', body: deep }), ok: [400] },
  {
    weight: 1,
    name: 'bad spec',
    make: () => ({ path: '/oidc/register', body: good('x'), fail: 'nope:times=x' }),
    ok: [400],
  },
  ...[
    ['invalid_redirect_uri', 400],
    ['invalid_client_metadata', 400],
    ['invalid_software_statement', 400],
    ['unapproved_software_statement', 400],
    ['registration_disabled', 400],
    ['too_many_entities', 403],
    ['rate_limited', 429],
    ['invalid_token', 401],
    ['server_error', 500],
    ['bad_gateway', 502],
    ['service_unavailable', 503],
    ['gateway_timeout', 504],
    ['malformed_json', 201],
    ['missing_client_id', 201],
    ['status_200', 200],
    ['wrong_content_type', 201],
    ['rate_limited:retry_after=3,status=599', 599],
    ['delay:ms=5-30', 201],
    ['delay:ms=10;server_error', 500],
    ['server_error:rate=0.5', [201, 500]],
    ['timeout:ms=150', 0],
    ['reset', 0],
    ['empty_response', 0],
    ['truncated', [201, 0]],
    ['slow_body:ms=100', 201],
  ].map(([spec, status]) => ({
    weight: 1,
    name: spec,
    make: (i) => ({ path: '/oidc/register', body: good(`f-${i}`), fail: spec }),
    ok: [status].flat(),
  })),
  { weight: 2, name: 'journal', make: () => ({ method: 'GET', path: '/__dcr/requests?limit=50' }), ok: [200] },
  { weight: 1, name: 'rules', make: () => ({ method: 'GET', path: '/__dcr/failures' }), ok: [200] },
  {
    weight: 1,
    name: 'add rule',
    make: () => ({
      path: '/__dcr/failures',
      body: '{"mode":"rate_limited","times":1,"match":{"header":"x-soak-rule:yes"}}',
    }),
    ok: [201],
  },
  { weight: 1, name: 'page', make: () => ({ method: 'GET', path: '/clients?_page=2&_per_page=10' }), ok: [200] },
  { weight: 1, name: 'health', make: () => ({ method: 'GET', path: '/__dcr/health' }), ok: [200] },
];
const totalWeight = ACTIONS.reduce((s, a) => s + a.weight, 0);
const pick = () => {
  let r = random() * totalWeight;
  for (const action of ACTIONS) if ((r -= action.weight) < 0) return action;
  return ACTIONS[0];
};

function send(agent, { method = 'POST', path, body, fail }) {
  return new Promise((resolve) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    if (fail) headers['x-dcr-mock-fail'] = fail;
    const req = request(`${base}${path}`, { method, agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(5_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

const tally = { requests: 0, unexpected: 0, byName: {} };
async function load(ms) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const until = Date.now() + ms;
  let i = 0;
  let nextReset = Date.now() + RESET_EVERY_MS;
  const worker = async () => {
    while (Date.now() < until) {
      if (Date.now() >= nextReset) {
        nextReset = Date.now() + RESET_EVERY_MS;
        await send(agent, { path: '/__dcr/reset' });
      }
      const action = pick();
      const status = await send(agent, action.make(i++));
      tally.requests++;
      if (!action.ok.includes(status)) {
        tally.unexpected++;
        if (tally.unexpected <= 10) console.error(`[soak] unexpected: ${action.name} got ${status}`);
      }
      tally.byName[action.name] = (tally.byName[action.name] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
}

/** A reset, a pause for sockets to close, then a sample after GC. */
async function settledSample() {
  const agent = new Agent({ keepAlive: false });
  await send(agent, { path: '/__dcr/reset' });
  await sleep(1_000);
  return sampleMemory();
}

/** Least-squares slope of `y` over `x`: the trend of a series of samples. */
function slope(points) {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxx === 0 ? undefined : points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0) / sxx;
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const show = (r) =>
  Object.entries(r)
    .sort()
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');

console.log(`[soak] ${SECONDS} s against ${base}, ${CONNECTIONS} connections; warm-up ${WARMUP_MS / 1000} s`);
await load(WARMUP_MS);
const start = await settledSample();
console.log(
  `[soak] start: RSS ${mb(start.rss)}, heap ${mb(start.heapUsed)}, handles ${show(start.resources)}${start.gc ? '' : ' (no GC exposed)'}`,
);

const started = Date.now();
const deadline = started + SECONDS * 1000;
const series = [];
while (Date.now() < deadline) {
  await load(Math.min(SAMPLE_EVERY_MS, deadline - Date.now()));
  const s = await sampleMemory();
  const seconds = (Date.now() - started) / 1000;
  series.push({ seconds, rss: s.rss, heap: s.heapUsed });
  console.log(`[soak] ${Math.round(seconds)} s: ${tally.requests} requests, RSS ${mb(s.rss)}, heap ${mb(s.heapUsed)}`);
}

const end = await settledSample();
console.log(`[soak] end:   RSS ${mb(end.rss)}, heap ${mb(end.heapUsed)}, handles ${show(end.resources)}`);
const perMinute = (key) => {
  const trend = slope(series.map((p) => [p.seconds / 60, p[key]]));
  return trend === undefined ? '-' : `${trend >= 0 ? '+' : '-'}${mb(Math.abs(trend))}/min`;
};
console.log(`[soak] RSS over time (MB): ${series.map((p) => (p.rss / 1048576).toFixed(1)).join(' ')}`);
console.log(
  `[soak] trend over ${series.length} samples (least squares): RSS ${perMinute('rss')}, heap ${perMinute('heap')}`,
);
const stopped = await ask('stop');
const [code] = await once(child, 'exit');

const growth = (end.rss - start.rss) / start.rss;
const heapGrowth = (end.heapUsed - start.heapUsed) / start.heapUsed;
const handlesBack =
  JSON.stringify(Object.entries(end.resources).sort()) === JSON.stringify(Object.entries(start.resources).sort());
const verdicts = [
  [
    Math.abs(growth) <= MAX_RSS_GROWTH,
    `RSS ${mb(start.rss)} → ${mb(end.rss)} (${(growth * 100).toFixed(1)}%, limit ±${MAX_RSS_GROWTH * 100}%)`,
  ],
  [
    heapGrowth <= MAX_HEAP_GROWTH,
    `heap ${mb(start.heapUsed)} → ${mb(end.heapUsed)} (${(heapGrowth * 100).toFixed(1)}%, limit +${MAX_HEAP_GROWTH * 100}%)`,
  ],
  [handlesBack, `handles back to baseline: ${show(start.resources)} → ${show(end.resources)}`],
  [
    end.unhandledRejections === 0 && end.uncaughtExceptions === 0,
    `unhandled rejections ${end.unhandledRejections}, uncaught exceptions ${end.uncaughtExceptions}`,
  ],
  [tally.unexpected === 0, `${tally.requests} requests, ${tally.unexpected} with an answer they should not get`],
  [
    code === 0 && !('TCPServerWrap' in stopped.resources),
    `stopped cleanly: exit ${code}, handles after close ${show(stopped.resources)}`,
  ],
];
for (const [ok, line] of verdicts) console.log(`[soak] ${ok ? 'ok  ' : 'FAIL'} ${line}`);
process.exitCode = verdicts.every(([ok]) => ok) ? 0 : 1;
