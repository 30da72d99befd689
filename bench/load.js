// One round of load on one target, POSTing registrations (or a row's GET) for a fixed time, with wrk
// when it is installed and autocannon when it is not.
import { runAutocannon } from './autocannon.js';
import { findWrk, runWrk } from './wrk.js';

export const REGISTRATION_PATH = '/oidc/register';

/** A valid registration: every request stores one more client. */
export const registrationBody = (name) =>
  JSON.stringify({
    client_name: `bench ${name}`,
    redirect_uris: ['http://localhost:5173/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  });

/** The one registration sent outside the load (the probe, the cold starts). */
export const REGISTRATION_BODY = registrationBody('probe');

/** Seconds a request may wait for its answer before it counts as a timeout. */
const TIMEOUT_S = 10;
/** A round that has not ended this long after its duration is stopped from here. */
const OVERRUN_S = 15;

/**
 * The load generator to use: wrk, unless it is missing or `wanted` is 'autocannon'.
 * `warning` says why the figures are autocannon's.
 */
export function chooseGenerator(wanted) {
  if (wanted === 'autocannon') {
    return { name: 'autocannon', warning: 'autocannon drives the load (--generator autocannon); see below' };
  }
  const version = findWrk();
  if (version) return { name: 'wrk', version };
  if (wanted === 'wrk') {
    throw new Error(
      'Failed to find wrk: it is not on the PATH. Install it (apt-get install wrk, brew install wrk), or pass --generator autocannon.',
    );
  }
  return {
    name: 'autocannon',
    warning: 'wrk is not installed (apt-get install wrk, brew install wrk): autocannon drives the load instead',
  };
}

/**
 * Runs one round against `baseUrl` and summarises it. `rps` counts answers that are not errors only,
 * so a server that fails fast cannot look fast. `tag` makes this round's client names its own;
 * `pool` is the values a token row's requests spend, `call` the one request a call row sends
 * (`{ headers, body }`, bench/token-flows.js).
 */
export function runRound(baseUrl, { generator, connections, duration, request, pool, call, tag }) {
  const run = generator.name === 'wrk' ? runWrk : runAutocannon;
  return run(`${baseUrl}${request?.path ?? REGISTRATION_PATH}`, {
    method: request?.method ?? 'POST',
    bodyOf: registrationBody,
    tag,
    pool,
    call,
    connections,
    duration,
    timeoutS: TIMEOUT_S,
    overrunS: OVERRUN_S,
  });
}

/** Failures of any kind in a round: connection errors (timeouts among them) and non-2xx answers. */
export const failures = (round) => round.errors + round.non2xx;
