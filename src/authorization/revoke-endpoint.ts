import { type FailureDeps, type FailureTarget, failureSteps } from '../failures/apply.js';
import type { Subject } from '../failures/rules.js';
import type { Answer } from '../http/answer.js';
import { NO_STORE } from '../http/answer.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import { type ClientRequestState as State, clientRequestSteps } from './client-request.js';
import { InvalidRequest } from './errors.js';
import type { AuthorizationService } from './service.js';

export interface RevokeDeps extends FailureDeps {
  readonly service: AuthorizationService;
}

/** Auth0 answers a revocation with 200 and an empty body, whether or not the token was one it knew (RFC 7009 §2.2). */
const REVOKED: Answer = { status: 200, headers: { ...NO_STORE }, body: '' };

/** POST /oauth/revoke: a refresh token, and its whole family, revoked for the client that holds it. */
export function revokeEndpoint(deps: RevokeDeps): Handler {
  const { service } = deps;
  const { read, parse, authenticate } = clientRequestSteps(service);
  const revoke: Step<State> = async (_ex, s) => {
    const token = s.params['token'];
    if (token === undefined || token === '')
      throw new InvalidRequest('token must be given: the refresh token to revoke');
    await service.refresh.revoke(token, s.client.client_id);
    return REVOKED;
  };
  const subject = (ex: Exchange, s: State): Subject => ({
    headers: ex.req.headers,
    values: { client_id: [s.client.client_id] },
  });
  const target = (): FailureTarget => ({ preview: () => REVOKED, commit: () => REVOKED });
  return pipeline(
    () => ({}) as State,
    [read, parse, authenticate, ...failureSteps<State>('revoke', deps, subject, target), revoke],
  );
}
