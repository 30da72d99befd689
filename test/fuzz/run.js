#!/usr/bin/env node
// npm run fuzz [-- --runs N] [--seed S]: every property under test/fuzz with N cases each
// (default 2,000, so at least 10,000 in all), then the totals. Exit code: vitest's, or 1 if too few ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MIN_TOTAL = 10_000;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error(`[fuzz] Failed to start: --runs must be a whole number, got ${values.runs}.`);
  process.exit(2);
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-fuzz-'));
const report = join(dir, 'report.jsonl');
const env = { ...process.env, DCR_FUZZ_RUNS: String(runs), DCR_FUZZ_REPORT: report };
if (values.seed !== undefined) env.DCR_FUZZ_SEED = values.seed;
const started = Date.now();
const vitest = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/fuzz'], {
  cwd: root,
  env,
  stdio: 'inherit',
});

const lines = existsSync(report)
  ? readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rmSync(dir, { recursive: true, force: true });
const total = lines.reduce((sum, l) => sum + l.runs, 0);
const failed = lines.filter((l) => l.failed);
console.log(
  `\n[fuzz] ${lines.length} properties, ${total.toLocaleString('en')} cases in ${Math.round((Date.now() - started) / 1000)} s, ${failed.length} failing`,
);
for (const l of lines) console.log(`[fuzz]   ${l.failed ? 'FAIL' : 'ok  '} ${String(l.runs).padStart(6)}  ${l.name}`);
if (vitest.status !== 0) process.exit(vitest.status ?? 1);
if (total < MIN_TOTAL) {
  console.error(`[fuzz] only ${total} cases ran; raise --runs to reach ${MIN_TOTAL}.`);
  process.exit(1);
}
