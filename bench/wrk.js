// One round of load with wrk (a C load generator, one thread): bench/wrk.lua builds the requests and
// prints the figures as JSON when the round ends.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const WRK_SCRIPT = fileURLToPath(new URL('./wrk.lua', import.meta.url));
const RESULT_MARK = '@@dcr-bench-wrk ';
const NAME_MARK = '@@name@@';
const OUTPUT_KEPT = 4096;

/** wrk's version line when `wrk` is on the PATH, undefined when it is not. */
export function findWrk() {
  // wrk -v prints its version, then its usage, and exits 1.
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return `${probe.stdout}${probe.stderr}`.split('\n')[0].trim() || 'wrk';
}

/**
 * Loads `url` for `duration` seconds over `connections` connections. A POST sends `bodyOf(name)`
 * with a name of its own per request, built from `tag`; a GET sends no body; with a `pool` (see
 * bench/token-flows.js), each request spends one line of `pool.file` and `pool.next` refills it; with a
 * `call`, every request is the same `method` with its headers and body.
 */
export async function runWrk(url, { method, bodyOf, tag, pool, call, connections, duration, timeoutS, overrunS }) {
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--timeout', `${timeoutS}s`, '-s', WRK_SCRIPT, url, '--'];
  if (call) {
    args.push('FIXED', method, call.body, ...Object.entries(call.headers).flat());
  } else if (pool) {
    args.push('POOL', pool.file, pool.before, pool.after ?? '', pool.next ?? '');
  } else if (method === 'POST') {
    const [before, after] = bodyOf(NAME_MARK).split(NAME_MARK);
    args.push('POST', tag, before, after);
  } else {
    args.push('GET');
  }
  const proc = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
  proc.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-OUTPUT_KEPT)));
  const guard = setTimeout(() => proc.kill('SIGKILL'), (duration + overrunS) * 1000);
  const [code, signal] = await once(proc, 'close');
  clearTimeout(guard);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (!line) {
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    throw new Error(`Failed to run wrk: it ${how} without its figures. ${stderr.trim() || stdout.trim()}`);
  }
  const result = JSON.parse(line.slice(RESULT_MARK.length));
  const { connect, read, write, status, timeout } = result.errors;
  // wrk counts an answer of 400 or more as a status error; the rest are answers that count.
  const ok = result.requests - status;
  const seconds = result.duration_us / 1e6;
  const ms = (us) => Math.round(us / 10) / 100;
  const kinds = Object.entries({ connect, read, write, timeout }).filter(([, n]) => n > 0);
  return {
    rps: Math.round((ok / seconds) * 10) / 10,
    p50: ms(result.latency_us.percentiles['50']),
    p99: ms(result.latency_us.percentiles['99']),
    ok,
    errors: connect + read + write + timeout,
    timeouts: timeout,
    non2xx: status,
    firstError: kinds.length ? kinds.map(([kind, n]) => `${kind} errors: ${n}`).join(', ') : undefined,
    statuses: status ? { '>=400': status } : {},
    ...(result.pool && { pool: result.pool }),
  };
}
