import { InvalidRequest } from '../errors.js';
import type { Answer } from '../http/answer.js';
import { ENDED, type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import { writeAnswer } from '../http/respond.js';
import { MAX_REQUEST_RULES, MAX_SPEC_LENGTH } from './bounds.js';
import { httpAnswer } from './catalogue.js';
import * as net from './network.js';
import type { ActiveRule, Decision, FailurePlan, Subject } from './rules.js';
import { FailSpecError, type FailureRule, parseFailSpec } from './spec.js';

export interface FailureDeps {
  readonly plan: FailurePlan;
  readonly faults: net.OpenFaults;
  readonly clock: () => Date;
}

/**
 * What an endpoint hands the failure machinery: the success it would answer, so that a bad success
 * can spoil it and a network fault can cut it. `preview` has no side effect; `commit` does the
 * endpoint's work (stores what it stores) and returns the same answer.
 */
export interface FailureTarget {
  /** `variant`: a mode's own version of the success (a token signed by another key), for the endpoints that have them. */
  preview(variant?: string): Answer | Promise<Answer>;
  commit(): Answer | Promise<Answer>;
  /** What a mode that answers from the request needs of it (/authorize: the redirect URI and state). */
  context?(): unknown;
}

/** What the failure steps leave in an endpoint's state. */
export interface FailureState {
  decision?: Decision;
}

/** Tells a client which failure it was given, so that a test sees at once that it was not a real one. */
const FAILURE_HEADER = 'x-dcr-mock-failure';

/**
 * The three steps every endpoint runs between reading a request and doing its work: choose the
 * failure (rules of all five channels), hold the delay, and apply the failure, if any. The endpoint
 * supplies the facts its rules match on and the success a failure transforms.
 */
export function failureSteps<S extends FailureState>(
  endpoint: string,
  deps: FailureDeps,
  subject: (ex: Exchange, state: S) => Subject,
  target: (ex: Exchange, state: S) => FailureTarget,
): Step<S>[] {
  const chooseFailure: Step<S> = (ex, s) => {
    let decision: Decision;
    try {
      decision = deps.plan.choose(endpoint, () => subject(ex, s), rulesFromRequest(ex, deps.plan));
    } catch (err) {
      if (err instanceof FailSpecError) throw new InvalidRequest(err.message);
      throw err;
    }
    ex.failure = decision.label;
    s.decision = decision;
    return undefined;
  };
  const delay: Step<S> = (ex, s) => {
    // No delay (the usual case): no timer and no extra turn of the event loop.
    const ms = s.decision?.delayMs ?? 0;
    if (ms <= 0) return ex.res.destroyed ? gone(ex) : undefined;
    return net.hold(ex.res, ms, deps.faults).then((stillThere) => (stillThere ? undefined : gone(ex)));
  };
  const fail: Step<S> = (ex, s) => {
    const active = s.decision?.failure;
    if (!active) return undefined;
    return applyFailure(ex, active, target(ex, s), deps).then(() => ENDED);
  };
  return [chooseFailure, delay, fail];
}

/** The client left or the server is stopping: end the exchange now rather than leave it to the drain. */
function gone(ex: Exchange): typeof ENDED {
  ex.res.destroy();
  return ENDED;
}

/** Answers with the failure a rule chose, whatever the endpoint: one switch for all of them. */
export async function applyFailure(
  ex: Exchange,
  active: ActiveRule,
  target: FailureTarget,
  deps: FailureDeps,
): Promise<void> {
  const { rule } = active;
  const { mode } = rule;
  const spec = deps.plan.catalogue.mode(rule.endpoint, mode);
  if (!spec) throw new Error(`${rule.endpoint}:${mode} was validated but is not in the catalogue`);
  const tag = { [FAILURE_HEADER]: mode };
  const tagged = (answer: Answer): Answer => ({ ...answer, headers: { ...answer.headers, ...tag } });
  switch (spec.kind) {
    case 'http':
      return writeAnswer(
        ex.res,
        httpAnswer(spec, {
          status: rule.status,
          retryAfter: rule.retry_after,
          now: deps.clock().getTime(),
          context: target.context?.(),
        }),
        tag,
      );
    case 'bad-success': {
      const success = await target.preview(spec.variant);
      return writeAnswer(ex.res, spec.spoil ? spec.spoil(success) : success, tag);
    }
    case 'delay':
      throw new Error('delay is applied before any other mode');
    case 'network':
      break;
  }
  switch (mode) {
    case 'reset':
      return net.reset(ex.res);
    case 'empty_response':
      return net.emptyResponse(ex.res);
    case 'truncated':
      return net.truncated(ex.res, tagged(await target.preview()));
    case 'timeout':
      return net.timeout(ex.res, rule.ms?.[1] ?? net.DEFAULT_TIMEOUT_MS, deps.faults);
    case 'slow_body':
      // The server did its work; only the answer is slow. So the endpoint commits, as for a delay.
      return net.slowBody(ex.res, tagged(await target.commit()), rule.ms?.[1] ?? net.DEFAULT_SLOW_BODY_MS, deps.faults);
    default:
      throw new Error(`network mode ${mode} has no fault`);
  }
}

/**
 * Rules that come with the request: the x-dcr-mock-fail header, then the __fail query parameter;
 * each at most MAX_SPEC_LENGTH characters (measured before it is read), MAX_REQUEST_RULES in all.
 */
export function rulesFromRequest(ex: Exchange, plan: FailurePlan): FailureRule[] {
  const header = ex.req.headers['x-dcr-mock-fail'];
  const query = ex.query.get('__fail');
  if (header === undefined && query === null) return [];
  const channels: Array<readonly [string, string]> = [];
  if (header !== undefined) channels.push(['x-dcr-mock-fail', Array.isArray(header) ? header.join(';') : header]);
  if (query !== null) channels.push(['__fail', query]);
  for (const [where, spec] of channels) {
    if (spec.length > MAX_SPEC_LENGTH) {
      throw new InvalidRequest(`${where} must be at most ${MAX_SPEC_LENGTH} characters, got ${spec.length}`);
    }
  }
  const rules: FailureRule[] = [];
  for (const [where, spec] of channels) {
    try {
      rules.push(...parseFailSpec(spec, plan.catalogue));
    } catch (err) {
      if (err instanceof FailSpecError) throw new InvalidRequest(`${where} ${err.message}`);
      throw err;
    }
  }
  if (rules.length > MAX_REQUEST_RULES) {
    throw new InvalidRequest(
      `x-dcr-mock-fail and __fail must bring at most ${MAX_REQUEST_RULES} rules together, got ${rules.length}`,
    );
  }
  return rules;
}

/**
 * An endpoint with nothing to read and nothing to store (discovery, the JWKS): the failure steps, then its
 * answer. `success(variant)` gives the answer, or a failure mode's variant of it.
 */
export function answeringEndpoint(
  endpoint: string,
  deps: FailureDeps,
  success: (ex: Exchange, variant?: string) => Answer | Promise<Answer>,
): Handler {
  const subject = (ex: Exchange): Subject => ({ headers: ex.req.headers, values: {} });
  const target = (ex: Exchange): FailureTarget => ({
    preview: (variant) => success(ex, variant),
    commit: () => success(ex),
  });
  return pipeline<FailureState>(
    () => ({}),
    [...failureSteps<FailureState>(endpoint, deps, subject, target), (ex) => success(ex)],
  );
}
