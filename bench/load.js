// One round of load on one target: autocannon POSTing registrations for a fixed time.
import autocannon from 'autocannon';

export const REGISTRATION_PATH = '/oidc/register';

/** A valid registration: every request stores one more client. */
export const REGISTRATION_BODY = JSON.stringify({
  client_name: 'bench',
  redirect_uris: ['http://localhost:5173/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_post',
});

/** A round that has not ended this long after its duration is stopped from here. */
const OVERRUN_S = 15;

/**
 * Runs autocannon against `baseUrl` and summarises the round. `rps` counts 2xx answers only,
 * so a server that fails fast cannot look fast.
 */
export async function runRound(baseUrl, { connections, duration, request }) {
  // A row may load another request (a GET) instead of registrations.
  const instance = autocannon({
    url: `${baseUrl}${request?.path ?? REGISTRATION_PATH}`,
    method: request?.method ?? 'POST',
    ...(request ? {} : { headers: { 'content-type': 'application/json' }, body: REGISTRATION_BODY }),
    connections,
    duration,
    timeout: 10,
  });
  let firstError;
  instance.on('reqError', (err) => {
    firstError ??= err.message;
  });
  const guard = setTimeout(() => instance.stop(), (duration + OVERRUN_S) * 1000);
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

/** Failures of any kind in a round: connection errors (timeouts among them) and non-2xx answers. */
export const failures = (round) => round.errors + round.non2xx;
