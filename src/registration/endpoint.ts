import { InvalidClientMetadata } from '../errors.js';
import { type Answer, JSON_NO_STORE } from '../http/answer.js';
import { type ParsedBody, parseBody, readStep } from '../http/body.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import { type FailureDeps, type FailureState, type FailureTarget, failureSteps } from '../failures/apply.js';
import type { Subject } from '../failures/rules.js';
import type { RegistrationGate, Release } from '../limits/gate.js';
import type { ClientIssuer, Issued } from './issue.js';
import type { ClientMetadata } from './metadata.js';

export interface RegistrationDeps extends FailureDeps {
  readonly issuer: ClientIssuer;
  /** The body with its software statement applied (verified where keys are given); at once without one. */
  readonly statement: (body: unknown) => unknown | Promise<unknown>;
  /** The metadata a body asks for, checked against the tables. */
  readonly metadataOf: (body: unknown) => ClientMetadata;
  /** Rate limit, initial access token, tenant limit: checked before failure rules. */
  readonly gate?: RegistrationGate;
}

interface State extends FailureState {
  text: string;
  body: ParsedBody;
  /** The body once its software statement, if any, is applied. */
  asked: unknown;
  metadata: ClientMetadata;
  issued: Issued;
  /** The place under --max-clients this registration holds until it is stored or fails. */
  release?: Release;
}

/**
 * POST /oidc/register, as node-oidc-provider writes its endpoints: read → parse → gate (limits) →
 * choose failure → delay → fail, or software statement → validate → issue → persist → respond; then the
 * gate's place is released.
 */
export function registrationEndpoint(deps: RegistrationDeps): Handler {
  const read: Step<State> = readStep;
  const parse: Step<State> = (ex, s) => {
    s.body = parseBody(s.text, ex.req.headers['content-type']);
    return undefined;
  };
  const gate: Step<State> = (ex, s) => {
    s.release = deps.gate?.admit(ex.req, ex.res);
    return undefined;
  };
  const statement: Step<State> = (_ex, s) => {
    const asked = deps.statement(validBody(s.body));
    if (!(asked instanceof Promise)) {
      s.asked = asked;
      return undefined;
    }
    return asked.then((merged) => {
      s.asked = merged;
      return undefined;
    });
  };
  const validate: Step<State> = (_ex, s) => {
    s.metadata = deps.metadataOf(s.asked);
    return undefined;
  };
  const issue: Step<State> = (_ex, s) => {
    s.issued = deps.issuer.issue(s.metadata);
    return undefined;
  };
  const persist: Step<State> = (ex, s) => {
    deps.issuer.commit(s.issued);
    ex.clientId = s.issued.record.client_id;
    return undefined;
  };
  const respond: Step<State> = (_ex, s) => created(s.issued);

  // What a failure spoils or cuts: the registration this body would get, without storing it; slow_body stores it.
  const target = (ex: Exchange, s: State): FailureTarget => ({
    preview: async () => created(deps.issuer.issue(deps.metadataOf(await deps.statement(validBody(s.body))))),
    commit: async () => {
      const metadata = deps.metadataOf(await deps.statement(validBody(s.body)));
      // From the sequence number read to the client stored, nothing awaits.
      const issued = deps.issuer.issue(metadata);
      deps.issuer.commit(issued);
      ex.clientId = issued.record.client_id;
      return created(issued);
    },
  });
  const steps = [
    read,
    parse,
    gate,
    ...failureSteps<State>('registration', deps, (ex, s) => subjectOf(ex, s.body), target),
    statement,
    validate,
    issue,
    persist,
    respond,
  ];
  // However the steps end (stored, refused, failed, the client gone), the place is given back: a stored
  // client counts in the store from then on.
  return pipeline(
    () => ({}) as State,
    steps,
    (_ex, s) => s.release?.(),
  );
}

const created = (issued: Issued): Answer => ({
  status: 201,
  headers: JSON_NO_STORE,
  body: JSON.stringify(issued.response),
});

/** Registration's match keys: the client_name and the redirect URIs the body asks for. */
function subjectOf(ex: Exchange, body: ParsedBody): Subject {
  const name = field(body.value, 'client_name');
  const uris = field(body.value, 'redirect_uris');
  return {
    headers: ex.req.headers,
    values: {
      client_name: typeof name === 'string' ? [name] : [],
      redirect_uri: Array.isArray(uris) ? uris.filter((u): u is string => typeof u === 'string') : [],
    },
  };
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && Object.hasOwn(body, name)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function validBody(parsed: ParsedBody): unknown {
  if (!parsed.ok) throw new InvalidClientMetadata('request body must be valid JSON');
  return parsed.value;
}
