import type { Exchange, Handler } from '../app.js';
import { InvalidClientMetadata, OAuthError } from '../errors.js';
import { InvalidToken } from '../http/bearer.js';
import { readBody } from '../http/body.js';
import { NO_STORE, sendJson } from '../http/respond.js';
import { type Answer, JSON_NO_STORE, badSuccess, httpFailure, isHttpMode } from '../failures/catalogue.js';
import * as net from '../failures/network.js';
import type { FailurePlan } from '../failures/rules.js';
import { FailSpecError, type FailureRule, parseFailSpec } from '../failures/spec.js';
import type { RegistrationGate } from '../limits/gate.js';
import type { Registrar } from './registrar.js';

export interface RegistrationDeps {
  readonly registrar: Registrar;
  readonly plan: FailurePlan;
  readonly faults: net.OpenFaults;
  readonly clock: () => Date;
  /** Rate limit, initial access token, tenant limit: checked before failure rules. */
  readonly gate?: RegistrationGate;
}

type Parsed = { ok: true; value: unknown } | { ok: false; value: undefined };

/** POST /oidc/register: read → parse → gate (limits) → choose failure → (delay) → fail, or validate → issue → persist → respond. */
export function registrationHandler(deps: RegistrationDeps): Handler {
  return async (ex) => {
    const text = await readBody(ex.req);
    const parsed = parseJson(text);
    ex.text = text;
    const refusal = admit(ex, deps.gate);
    if (refusal) return net.sendAnswer(ex.res, refusal);
    const decision = deps.plan.choose({ body: parsed.value, headers: ex.req.headers }, rulesFromRequest(ex));
    ex.failure = decision.label;
    // No delay (the usual case): no timer and no extra turn of the event loop.
    const stillThere = decision.delayMs > 0 ? await net.hold(ex.res, decision.delayMs, deps.faults) : !ex.res.destroyed;
    if (!stillThere) {
      // The client left or the server is stopping: end the exchange now rather than leave it to the drain.
      ex.res.destroy();
      return;
    }
    if (decision.failure) return applyFailure(ex, decision.failure.rule, parsed, deps);
    const client = await deps.registrar.register(validBody(parsed));
    ex.clientId = client['client_id'] as string;
    sendJson(ex.res, 201, client, NO_STORE);
  };
}

/** The limits, with the one that refused named in the journal's failure column (`limit:…`). */
function admit(ex: Exchange, gate: RegistrationGate | undefined): Answer | undefined {
  try {
    const refusal = gate?.admit(ex.req, ex.res);
    if (refusal) ex.failure = `limit:${refusal.reason}`;
    return refusal;
  } catch (err) {
    if (err instanceof InvalidToken) ex.failure = 'limit:initial-access-token';
    throw err;
  }
}

async function applyFailure(ex: Exchange, rule: FailureRule, parsed: Parsed, deps: RegistrationDeps): Promise<void> {
  const { mode } = rule;
  const tag = { 'x-dcr-mock-failure': mode };
  const success = (client: Record<string, unknown>): Answer => ({
    status: 201,
    headers: { ...JSON_NO_STORE, ...tag },
    body: JSON.stringify(client),
  });
  if (isHttpMode(mode)) {
    const answer = httpFailure(mode, {
      status: rule.status,
      retryAfter: rule.retry_after,
      now: deps.clock().getTime(),
    });
    return net.sendAnswer(ex.res, answer, tag);
  }
  switch (mode) {
    case 'malformed_json':
    case 'missing_client_id':
    case 'status_200':
    case 'wrong_content_type':
      return net.sendAnswer(ex.res, badSuccess(mode, await deps.registrar.preview(validBody(parsed))), tag);
    case 'reset':
      return net.reset(ex.res);
    case 'empty_response':
      return net.emptyResponse(ex.res);
    case 'truncated':
      return net.truncated(ex.res, success(await deps.registrar.preview(validBody(parsed))));
    case 'timeout':
      return net.timeout(ex.res, rule.ms?.[1] ?? net.DEFAULT_TIMEOUT_MS, deps.faults);
    case 'slow_body': {
      // The server did its work; only the answer is slow. So the client is stored, as for a delay.
      const client = await deps.registrar.register(validBody(parsed));
      ex.clientId = client['client_id'] as string;
      return net.slowBody(ex.res, success(client), rule.ms?.[1] ?? net.DEFAULT_SLOW_BODY_MS, deps.faults);
    }
    case 'delay':
      throw new Error('delay is applied before any other mode');
  }
}

/** Rules that come with the request: the x-dcr-mock-fail header, then the __fail query parameter. */
function rulesFromRequest(ex: Exchange): FailureRule[] {
  const header = ex.req.headers['x-dcr-mock-fail'];
  const query = ex.query.get('__fail');
  if (header === undefined && query === null) return [];
  const rules: FailureRule[] = [];
  for (const [where, spec] of [
    ['x-dcr-mock-fail', header],
    ['__fail', query],
  ] as const) {
    if (spec === undefined || spec === null) continue;
    try {
      rules.push(...parseFailSpec(Array.isArray(spec) ? spec.join(';') : spec));
    } catch (err) {
      if (err instanceof FailSpecError) throw new OAuthError(400, 'invalid_request', `${where} ${err.message}`);
      throw err;
    }
  }
  return rules;
}

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: undefined };
  }
}

function validBody(parsed: Parsed): unknown {
  if (!parsed.ok) throw new InvalidClientMetadata('request body must be valid JSON');
  return parsed.value;
}
