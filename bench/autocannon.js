// One round of load with autocannon: the fallback when wrk is not installed. It runs in the bench's own
// process, in JavaScript, and competes with the server for the CPUs: its figures are rough.
import autocannon from 'autocannon';

/** The same round as runWrk (bench/wrk.js), from autocannon's result. */
export async function runAutocannon(url, { method, bodyOf, tag, connections, duration, timeoutS, overrunS }) {
  let n = 0;
  const instance = autocannon({
    url,
    connections,
    duration,
    timeout: timeoutS,
    requests: [
      method === 'POST'
        ? {
            method,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: bodyOf(`${tag}-${++n}`) }),
          }
        : { method },
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
  };
}
