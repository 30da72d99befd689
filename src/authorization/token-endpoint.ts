import { type FailureDeps, type FailureTarget, failureSteps } from '../failures/apply.js';
import type { Subject } from '../failures/rules.js';
import { type Answer, NO_STORE, jsonAnswer } from '../http/answer.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import { type ClientRequestState as State, clientRequestSteps } from './client-request.js';
import type { TokenResponse } from './grants.js';
import { parseScope } from './scope.js';
import type { AuthorizationService } from './service.js';

export interface TokenDeps extends FailureDeps {
  readonly service: AuthorizationService;
}

const issued = (body: TokenResponse): Answer => jsonAnswer(200, body, NO_STORE);

/**
 * POST /oauth/token: read → parse (form or JSON) → note the grant → authenticate the client → choose
 * failure → delay → fail, or the grant (code, refresh_token, client_credentials) → respond. A failure
 * stores nothing and spends no code; slow_body does the grant and dribbles its answer.
 */
export function tokenEndpoint(deps: TokenDeps): Handler {
  const { service } = deps;
  const { read, parse, authenticate } = clientRequestSteps(service);
  // The journal names the grant asked for even when the client then fails to authenticate.
  const noteGrant: Step<State> = (ex, s) => {
    if (s.params['grant_type'] !== undefined) ex.grantType = s.params['grant_type'];
    return undefined;
  };
  const grant: Step<State> = (_ex, s) => service.grants.answer(s.params, s.client).then(issued);
  const subject = (ex: Exchange, s: State): Subject => ({
    headers: ex.req.headers,
    values: {
      client_id: [s.client.client_id],
      grant_type: s.params['grant_type'] ? [s.params['grant_type']] : [],
      scope: parseScope(s.params['scope']),
      audience: [s.params['audience'] ?? s.params['resource']].filter((v): v is string => !!v),
    },
  });
  const target = (_ex: Exchange, s: State): FailureTarget => ({
    preview: async (variant) => issued(await service.grants.preview(s.params, s.client, variant)),
    commit: async () => issued(await service.grants.answer(s.params, s.client)),
  });
  return pipeline(
    () => ({}) as State,
    [read, parse, noteGrant, authenticate, ...failureSteps<State>('token', deps, subject, target), grant],
  );
}
