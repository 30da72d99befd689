#!/usr/bin/env node
// npm run bench: dcr-mock's registration and token-endpoint throughput, latency and memory against a bare
// node:http floor (and oidc-provider's token endpoint for scale), and its cold start against the floor's,
// with wrk driving the load (autocannon when wrk is missing).
// Usage: node bench/run.js [--duration S] [--rounds N] [--connections C] [--warmup S] [--only a,b]
//                          [--generator wrk|autocannon] [--json] [--cpu-prof DIR]
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { countStoredClients, writeClientsDb } from './clients-db.js';
import { getTimed, killAllChildren, postJson, startChild, stopChild } from './children.js';
import { REGISTRATION_BODY, REGISTRATION_PATH, chooseGenerator, failures, runRound } from './load.js';
import { cpuSecondsOf, rssOf } from './proc.js';
import { evaluateAims, formatReport, summarizeCold, summarizeLoad } from './report.js';
import { CLI_SCRIPT, COLD_STARTS, LOAD_TARGETS, PREFILLED_CLIENTS, argvOf } from './targets.js';

const HELP = `Usage: npm run bench -- [options]

  --duration S      seconds of load per round (default 3)
  --rounds N        rounds per target, alternating between targets (default 3)
  --connections C   concurrent connections (default 32)
  --warmup S        seconds of unmeasured load per target before the rounds (default 1, 0 = none)
  --only a,b        what to measure, among: ${[...LOAD_TARGETS, ...COLD_STARTS].map((r) => r.name).join(', ')}
  --generator G     wrk or autocannon (default: wrk if it is on the PATH, else autocannon, with a warning)
  --json            print the results as JSON on stdout (the report then goes to stderr)
  --cpu-prof DIR    write a V8 CPU profile of each load target to DIR (<name>.cpuprofile)`;

/** How long a db.json target may take to fold its journal in after a round before the next round starts. */
const SETTLE_TIMEOUT_MS = 60_000;
/** A journal unchanged this long is one the store keeps as it is for now. */
const STABLE_MS = 1000;
/**
 * Codes a code row is given per second of a round, at least: more than this machine's RSA signing
 * allows (two signatures an exchange), since a warm-up is too short to show the pace. A round gets
 * twice the best pace seen when that is more.
 */
const MIN_PACE = 2500;
/** dcr-mock keeps 100,000 unspent codes at most; a round is given fewer. */
const MAX_CODES = 90_000;

const options = readOptions(process.argv.slice(2));
const log = (line) => process.stderr.write(`${line}\n`);
const print = options.json ? log : (line) => process.stdout.write(`${line}\n`);

const workDir = mkdtempSync(join(tmpdir(), 'dcr-mock-bench-'));
const cleanUp = () => {
  killAllChildren();
  rmSync(workDir, { recursive: true, force: true });
};
process.on('exit', cleanUp);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the servers`);
    cleanUp();
    process.exit(code);
  });
}

try {
  const results = await main();
  print(formatReport(results));
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} catch (err) {
  log(`[dcr-mock bench] ${err.message}`);
  process.exitCode = 1;
}

async function main() {
  if (!existsSync(CLI_SCRIPT)) {
    throw new Error(`Failed to find ${CLI_SCRIPT}: dcr-mock is not built. Run npm run bench, which builds it first.`);
  }
  const targets = LOAD_TARGETS.filter((t) => options.only.has(t.name));
  const colds = COLD_STARTS.filter((c) => options.only.has(c.name));
  const warnings = [];
  const generator = chooseGenerator(options.generator);
  if (generator.warning) {
    warnings.push(`${generator.warning}; it shares the CPUs with the servers, so its ratios are rough`);
    log(`!!! ${generator.warning}`);
  }
  const prefilled = join(workDir, 'prefilled.json');
  if ([...targets, ...colds].some((row) => row.db === 'prefilled')) {
    const started = performance.now();
    writeClientsDb(prefilled, PREFILLED_CLIENTS);
    log(`generated a db.json of ${PREFILLED_CLIENTS} clients in ${Math.round(performance.now() - started)} ms`);
  }
  let dirs = 0;
  const prepareDb = (row) => {
    if (!row.db) return undefined;
    const dir = join(workDir, `${row.name}-${++dirs}`);
    mkdirSync(dir);
    const path = join(dir, 'db.json');
    if (row.db === 'prefilled') copyFileSync(prefilled, path);
    return path;
  };

  const load = await measureLoad(targets, prepareDb, generator, warnings);
  const cold = await measureColdStarts(colds, prepareDb, warnings);
  const loadSummary = summarizeLoad(load);
  const coldSummary = summarizeCold(cold);
  for (const [name, t] of Object.entries(loadSummary)) {
    if (t.failures > 0)
      warnings.push(`${name}: ${t.failures} failed requests (errors, timeouts or non-2xx); its figures are not valid`);
  }
  return {
    settings: {
      node: process.version,
      cpus: availableParallelism(),
      generator: generator.name,
      generatorVersion: generator.version,
      duration: options.duration,
      rounds: options.rounds,
      connections: options.connections,
      warmup: options.warmup,
    },
    load: loadSummary,
    cold: coldSummary,
    aims: evaluateAims(loadSummary, coldSummary),
    warnings,
  };
}

async function measureLoad(targets, prepareDb, generator, warnings) {
  const running = [];
  try {
    for (const row of targets) {
      const db = prepareDb(row);
      const nodeArgs = options.cpuProf
        ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProf, '--cpu-prof-name', `${row.name}.cpuprofile`]
        : [];
      const child = await startChild(argvOf(row, db), { nodeArgs });
      const initial = db && row.db === 'prefilled' ? PREFILLED_CLIENTS : 0;
      running.push({ row, child, db, initial, answered: 0, rounds: [], rss: {} });
      log(`started ${row.name} (${row.label}) at ${child.url}`);
    }
    await probe(running, warnings);
    for (const target of running) target.rss.start = rssOf(target.child.proc.pid);
    if (options.warmup > 0) {
      for (const target of running) {
        const round = await loadRound(target, generator, options.warmup, 'w', warnings);
        if (failures(round) > 0)
          warnings.push(`${target.row.name}: ${failures(round)} failed requests during the warm-up`);
        await settle(target, warnings);
      }
    }
    for (let i = 1; i <= options.rounds; i++) {
      for (const target of running) {
        if (!isAlive(target, warnings)) continue;
        const round = await loadRound(target, generator, options.duration, `r${i}`, warnings);
        round.settleMs = await settle(target, warnings);
        round.rss = rssOf(target.child.proc.pid);
        target.rounds.push(round);
        log(progressLine(i, target, round));
      }
    }
  } finally {
    for (const target of running) {
      target.rss.afterLoad = target.rounds.at(-1)?.rss;
      await stopChild(target.child);
      if (target.db && !target.crash) {
        target.stored = { ...countStoredClients(target.db), initial: target.initial, answered: target.answered };
      }
    }
  }
  const load = {};
  for (const { row, rounds, stored, crash, rss } of running) {
    load[row.name] = { label: row.label, rounds, stored, crash, rss };
  }
  for (const { row, stored } of running) {
    if (stored && stored.clients + stored.unfolded < stored.initial + stored.answered) {
      warnings.push(`${row.name}: db.json holds fewer clients than registrations answered 201`);
    }
  }
  return load;
}

/**
 * One round of load on a target, and the share of one CPU its process used meanwhile (near 100%: the
 * server, not the generator, sets the pace). The registrations it answers count towards what its
 * db.json must hold.
 */
async function loadRound(target, generator, duration, tag, warnings) {
  const pool = target.row.pool && (await makePool(target, duration, tag));
  const { pid } = target.child.proc;
  const cpuBefore = cpuSecondsOf(pid);
  const started = performance.now();
  const round = await runRound(target.child.url, {
    generator,
    connections: options.connections,
    duration,
    request: target.row.request,
    pool,
    call: target.call,
    tag,
  });
  const cpuAfter = cpuSecondsOf(pid);
  round.cpu =
    cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : Math.round(((cpuAfter - cpuBefore) / ((performance.now() - started) / 1000)) * 100);
  // A row that loads another request (a GET, a token request) registers nothing.
  if (!target.row.request) target.answered += round.ok;
  if (round.pool) {
    // A pool that ran dry ended the round early, so its pace is more than it shows.
    const pace = (round.ok / duration) * (round.pool.dry > 0 ? 2 : 1);
    target.pace = Math.max(target.pace ?? 0, pace);
    if (round.pool.dry > 0) {
      warnings.push(
        `${target.row.name} round ${tag}: its ${round.pool.loaded} ${target.row.pool.what} ran out before the end, so its req/s is too low; the next round gets more`,
      );
    }
  }
  return round;
}

/**
 * The codes or refresh tokens a token row's round spends, made through the server's own flow before
 * the round, in a file for the generator: one family per connection (twice as many), or one code per
 * request expected (twice the best pace seen, MIN_PACE at least).
 */
async function makePool(target, duration, tag) {
  const { pool } = target.row;
  const count =
    pool.per === 'connection'
      ? 2 * options.connections
      : Math.min(MAX_CODES, Math.ceil(duration * Math.max(MIN_PACE, 2 * (target.pace ?? 0))));
  const started = performance.now();
  const values = await pool.make(target.child.url, count);
  const file = join(workDir, `${target.row.name}-${tag}.pool`);
  writeFileSync(file, `${values.join('\n')}\n`);
  log(`made ${count} ${pool.what} for ${target.row.name} in ${Math.round(performance.now() - started)} ms`);
  return { file, before: pool.body.before, after: pool.body.after, next: pool.next };
}

/**
 * One registration on each target before the load: a 201, with the same headers as the floor's. A
 * token row's probe is its first pool: making it fails loudly when the flow does not work. A `call`
 * row's is making its request, which ends with one call that must succeed. A row with `probe: false`
 * registers nothing.
 */
async function probe(running, warnings) {
  for (const target of running.filter((t) => t.row.call)) {
    const started = performance.now();
    target.call = await target.row.call.make(target.child.url);
    log(`made ${target.row.call.what} for ${target.row.name} in ${Math.round(performance.now() - started)} ms`);
  }
  const names = (headers) =>
    Object.keys(headers)
      .filter((h) => !['date', 'connection', 'keep-alive'].includes(h))
      .sort()
      .join(', ');
  let floorHeaders;
  for (const target of running.filter((t) => !t.row.pool && !t.row.call && t.row.probe !== false)) {
    const res = await postJson(`${target.child.url}${REGISTRATION_PATH}`, REGISTRATION_BODY);
    if (res.status !== 201)
      throw new Error(`${target.row.name} answered ${res.status} to a valid registration: ${res.text.slice(0, 300)}`);
    target.answered++;
    if (target.row.name === 'floor') floorHeaders = names(res.headers);
    else if (floorHeaders && names(res.headers) !== floorHeaders) {
      warnings.push(
        `${target.row.name} sends headers [${names(res.headers)}], the floor [${floorHeaders}]: update bench/floor.js`,
      );
    }
  }
}

/**
 * Waits until a target is idle: for a db.json, until its journal is folded in, or until the journal
 * has stayed the same for a second (a big store keeps a short journal until it is worth a rewrite),
 * so that a fold does not land in the next target's round.
 */
async function settle(target, warnings) {
  const started = performance.now();
  await sleep(100);
  if (!isAlive(target, warnings)) return undefined;
  if (target.db) {
    const journals = [`${target.db}.journal`, `${target.db}.journal.old`];
    const state = () => journals.map((file) => (existsSync(file) ? statSync(file).size : -1)).join(',');
    let last = state();
    let stableSince = performance.now();
    while (journals.some((file) => existsSync(file))) {
      if (performance.now() - stableSince > STABLE_MS) break;
      if (performance.now() - started > SETTLE_TIMEOUT_MS) {
        warnings.push(`${target.row.name}: the journal was still changing ${SETTLE_TIMEOUT_MS} ms after a round`);
        break;
      }
      await sleep(25);
      const now = state();
      if (now !== last) [last, stableSince] = [now, performance.now()];
    }
  }
  return Math.round(performance.now() - started);
}

/** False (and a warning, once) when the target's process has exited without being asked to. */
function isAlive(target, warnings) {
  if (target.crash) return false;
  if (!target.child.crash) return true;
  target.crash = { ...target.child.crash, stderr: target.child.stderr.trim() };
  const how = target.crash.signal ?? `code ${target.crash.code}`;
  warnings.push(
    `${target.row.name} exited during the run (${how}); its later rounds were skipped. ${target.crash.stderr.slice(-500)}`,
  );
  log(`!!! ${target.row.name} exited (${how})`);
  return false;
}

function progressLine(i, { row }, round) {
  const bad = failures(round);
  const settled = round.settleMs > 150 ? `, idle after ${round.settleMs} ms` : '';
  return (
    `round ${i}/${options.rounds} ${row.name.padEnd(6)} ${Math.round(round.rps).toLocaleString('en').padStart(7)} req/s` +
    `  p50 ${round.p50} ms  p99 ${round.p99} ms  cpu ${round.cpu ?? '-'}%${settled}` +
    (bad ? `  !!! ${bad} failed: ${JSON.stringify(round.statuses)} ${round.firstError ?? ''}` : '') +
    (round.pool?.dry ? `  !!! its ${round.pool.loaded} ${row.pool.what} ran out` : '')
  );
}

/**
 * Spawn → first 201, each run on a fresh process and a fresh copy of its db; the rows take turns
 * (floor, fresh, 50k, floor, …) so that a drift of the machine hits them alike. After a dcr-mock
 * start (`keys` rows), outside the time measured, two GETs of the JWKS: the first derives the signing
 * key when the start has not, and takes tens of milliseconds more than the next.
 */
async function measureColdStarts(colds, prepareDb, warnings) {
  const cold = Object.fromEntries(
    colds.map((row) => [row.name, { label: row.label, runs: [], failures: 0, ...(row.keys && { jwks: [] }) }]),
  );
  const turns = Math.max(0, ...colds.map((row) => row.runs));
  for (let i = 0; i < turns; i++) {
    for (const row of colds.filter((r) => i < r.runs)) {
      const db = prepareDb(row);
      const started = performance.now();
      let child;
      try {
        child = await startChild(argvOf(row, db));
        const res = await postJson(`${child.url}${REGISTRATION_PATH}`, REGISTRATION_BODY);
        const elapsed = performance.now() - started;
        if (res.status === 201) cold[row.name].runs.push(Math.round(elapsed * 10) / 10);
        else throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
        if (row.keys) cold[row.name].jwks.push(await twoJwks(child.url));
      } catch (err) {
        cold[row.name].failures++;
        warnings.push(`${row.name} run ${i + 1}: ${err.message}`);
      } finally {
        if (child) await stopChild(child);
        if (db) rmSync(join(db, '..'), { recursive: true, force: true });
      }
    }
  }
  for (const [name, { runs }] of Object.entries(cold)) log(`${name}: ${runs.join(', ')} ms`);
  return cold;
}

/** Milliseconds of the first and the second GET of the JWKS. */
async function twoJwks(base) {
  const times = [];
  for (let i = 0; i < 2; i++) {
    const res = await getTimed(`${base}/.well-known/jwks.json`);
    if (res.status !== 200) throw new Error(`answered ${res.status} to GET /.well-known/jwks.json`);
    times.push(Math.round(res.ms * 10) / 10);
  }
  return { first: times[0], next: times[1] };
}

function readOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '3' },
        rounds: { type: 'string', default: '3' },
        connections: { type: 'string', default: '32' },
        warmup: { type: 'string', default: '1' },
        only: { type: 'string' },
        generator: { type: 'string' },
        json: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    usageError(err.message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const number = (name, { min, integer }) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      usageError(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${values[name]}`);
    }
    return n;
  };
  const known = [...LOAD_TARGETS, ...COLD_STARTS].map((r) => r.name);
  const only = new Set(
    values.only
      ? values.only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : known,
  );
  const unknown = [...only].filter((name) => !known.includes(name));
  if (unknown.length) usageError(`--only must name some of ${known.join(', ')}, got ${unknown.join(', ')}`);
  if (values.generator !== undefined && !['wrk', 'autocannon'].includes(values.generator)) {
    usageError(`--generator must be wrk or autocannon, got ${values.generator}`);
  }
  return {
    duration: number('duration', { min: 1, integer: true }),
    rounds: number('rounds', { min: 1, integer: true }),
    connections: number('connections', { min: 1, integer: true }),
    warmup: number('warmup', { min: 0, integer: true }),
    only,
    generator: values.generator,
    json: values.json,
    cpuProf: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
  };
}

function usageError(message) {
  process.stderr.write(
    `[dcr-mock bench] Failed to read the options: ${message}. Run node bench/run.js --help for the list.\n`,
  );
  process.exit(2);
}
