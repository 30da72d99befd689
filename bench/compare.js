#!/usr/bin/env node
// Two or more builds of dcr-mock measured in the same run, rounds alternating between them so that a
// drift of the machine hits them alike: registration throughput and p99 (in memory, db.json growing),
// and cold start (spawn → first 201). Each checkout must be built (dist/), and is run from its own dist.
// Usage: node bench/compare.js [--rounds N] [--duration S] [--connections C] [--starts N]
//                              [--only floor,mem,file,cold] <checkout> [<checkout> …]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { killAllChildren, postJson, startChild, stopChild } from './children.js';
import { REGISTRATION_BODY, REGISTRATION_PATH, chooseGenerator, failures, runRound } from './load.js';
import { cpuSecondsOf } from './proc.js';
import { FLOOR_SCRIPT } from './targets.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '1' },
    starts: { type: 'string', default: '9' },
    only: { type: 'string', default: 'floor,mem,file,cold' },
  },
});
if (positionals.length === 0) {
  process.stderr.write('Usage: node bench/compare.js [--rounds N] [--only floor,mem,file,cold] <checkout> …\n');
  process.exit(2);
}
const only = new Set(values.only.split(','));
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const warmup = Number(values.warmup);
const starts = Number(values.starts);
const log = (line) => process.stderr.write(`${line}\n`);

/** A checkout's entry point: dist/bin.js, or dist/cli.js for builds from before it was split. */
function entryOf(dir) {
  for (const file of ['dist/bin.js', 'dist/cli.js']) {
    const path = join(resolve(dir), file);
    if (existsSync(path)) return path;
  }
  throw new Error(`Failed to find dist/bin.js or dist/cli.js in ${dir}: build it first (npm run build there).`);
}

const builds = positionals.map((dir, i) => ({ name: `${i}:${basename(resolve(dir))}`, script: entryOf(dir) }));
const workDir = mkdtempSync(join(tmpdir(), 'dcr-mock-compare-'));
process.on('exit', () => {
  killAllChildren();
  rmSync(workDir, { recursive: true, force: true });
});
let dirs = 0;
const freshDb = () => {
  const dir = join(workDir, String(++dirs));
  mkdirSync(dir);
  return join(dir, 'db.json');
};

const rows = [];
if (only.has('floor')) rows.push({ name: 'floor', script: FLOOR_SCRIPT, args: [] });
for (const build of builds) {
  if (only.has('mem')) rows.push({ name: `mem ${build.name}`, script: build.script, args: ['--db', ':memory:'] });
  if (only.has('file')) rows.push({ name: `file ${build.name}`, script: build.script, db: true, args: [] });
}

const generator = chooseGenerator('wrk');
const results = {};
const running = [];
try {
  for (const row of rows) {
    const args = [row.script, '--port', '0', '--quiet', ...(row.db ? ['--db', freshDb()] : []), ...row.args];
    running.push({ row, child: await startChild(args) });
  }
  for (const { row, child } of running) {
    if (warmup > 0) await runRound(child.url, { generator, connections, duration: warmup, tag: 'w' });
    results[row.name] = { rps: [], p99: [], cpuUs: [] };
  }
  for (let i = 1; i <= rounds; i++) {
    for (const { row, child } of running) {
      const cpuBefore = cpuSecondsOf(child.proc.pid);
      const round = await runRound(child.url, { generator, connections, duration, tag: `r${i}` });
      // The server's CPU time per answer: what other processes on the machine take shows less in it than in req/s.
      const cpuUs = ((cpuSecondsOf(child.proc.pid) - cpuBefore) * 1e6) / round.ok;
      results[row.name].cpuUs.push(Math.round(cpuUs * 10) / 10);
      if (failures(round) > 0) log(`!!! ${row.name}: ${failures(round)} failed requests`);
      results[row.name].rps.push(round.rps);
      results[row.name].p99.push(round.p99);
      log(
        `round ${i} ${row.name.padEnd(24)} ${Math.round(round.rps)} req/s  p99 ${round.p99} ms  ${Math.round(cpuUs)} µs cpu/req`,
      );
      // Let a db.json target fold its journal in before the next round.
      await new Promise((r) => setTimeout(r, row.db ? 1500 : 200));
    }
  }
} finally {
  for (const { child } of running) await stopChild(child);
}

if (only.has('cold')) {
  const colds = [
    { name: 'cold floor', script: FLOOR_SCRIPT },
    ...builds.map((b) => ({ ...b, name: `cold ${b.name}` })),
  ];
  for (const c of colds) results[c.name] = { ms: [], cpu: [] };
  for (let i = 0; i < starts; i++) {
    for (const c of colds) {
      const db = c.script === FLOOR_SCRIPT ? [] : ['--db', freshDb()];
      const started = performance.now();
      const child = await startChild([c.script, '--port', '0', '--quiet', ...db]);
      const res = await postJson(`${child.url}${REGISTRATION_PATH}`, REGISTRATION_BODY);
      const ms = performance.now() - started;
      // CPU time the process used up to its first answer: less hit than wall time by what else the machine runs.
      const cpu = cpuSecondsOf(child.proc.pid);
      await stopChild(child);
      if (cpu !== undefined) results[c.name].cpu.push(Math.round(cpu * 1000));
      if (res.status !== 201) throw new Error(`${c.name} answered ${res.status}`);
      results[c.name].ms.push(Math.round(ms * 10) / 10);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs) => `${Math.min(...xs)}–${Math.max(...xs)}`;
for (const [name, r] of Object.entries(results)) {
  if (r.ms) {
    const cpu = r.cpu.length ? `  cpu median ${median(r.cpu)} ms (${spread(r.cpu)})` : '';
    process.stdout.write(
      `${name.padEnd(26)} median ${median(r.ms).toFixed(1)} ms  (${spread(r.ms)}, n=${r.ms.length})${cpu}\n`,
    );
  } else {
    process.stdout.write(
      `${name.padEnd(26)} median ${Math.round(median(r.rps))} req/s (${spread(r.rps.map(Math.round))})  p99 median ${median(r.p99)} ms (${spread(r.p99)})  cpu/req median ${median(r.cpuUs)} µs (${spread(r.cpuUs)})\n`,
    );
  }
}
