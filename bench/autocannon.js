// One round of load with autocannon: the fallback when wrk is not installed. It runs in the bench's own
// process, in JavaScript, and competes with the server for the CPUs: its figures are rough.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** The same round as runWrk (bench/wrk.js), from autocannon's result. */
export async function runAutocannon(
  url,
  { method, bodyOf, tag, pool, call, connections, duration, timeoutS, overrunS },
) {
  const values = pool ? readFileSync(pool.file, 'utf8').split('\n').filter(Boolean) : [];
  const counts = pool && { loaded: values.length, left: values.length, dry: 0 };
  const instance = autocannon({
    url,
    connections,
    duration,
    timeout: timeoutS,
    requests: [
      call
        ? { method, headers: call.headers, body: call.body }
        : pool
          ? pooledRequest(pool, values, counts, () => instance.stop())
          : plainRequest(method, bodyOf, tag),
    ],
  });
  let firstError;
  instance.on('reqError', (err) => {
    firstError ??= err.message;
  });
  const guard = setTimeout(() => instance.stop(), (duration + overrunS) * 1000);
  let result;
  try {
    result = await instance;
  } finally {
    clearTimeout(guard);
  }
  const seconds = result.duration || duration;
  return {
    rps: Math.round((result['2xx'] / seconds) * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    firstError,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    ...(counts && { pool: counts }),
  };
}

/** A registration with a client_name of its own each, or a GET. */
function plainRequest(method, bodyOf, tag) {
  if (method !== 'POST') return { method };
  let n = 0;
  return {
    method,
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: bodyOf(`${tag}-${++n}`) }),
  };
}

/** A form POST that spends one of `values`; a 200 answer's `pool.next` member goes back in. */
function pooledRequest(pool, values, counts, stop) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (req) => {
      const value = values.pop();
      counts.left = values.length;
      if (value === undefined) {
        counts.dry++;
        stop();
      }
      return { ...req, body: `${pool.before}${value ?? ''}${pool.after ?? ''}` };
    },
    onResponse: (status, body) => {
      const value = status === 200 && pool.next ? JSON.parse(body)[pool.next] : undefined;
      if (value) values.push(value);
      counts.left = values.length;
    },
  };
}
