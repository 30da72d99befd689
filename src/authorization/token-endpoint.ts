import { type FailureDeps, type FailureState, type FailureTarget, failureSteps } from '../failures/apply.js';
import type { Subject } from '../failures/rules.js';
import { type Answer, NO_STORE, jsonAnswer } from '../http/answer.js';
import { parseBody, readBody } from '../http/body.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import { authenticateClient, lookup } from './client-auth.js';
import type { AuthClient } from './clients.js';
import type { TokenResponse } from './grants.js';
import { requestParams } from './params.js';
import { parseScope } from './scope.js';
import type { AuthorizationService } from './service.js';

export interface TokenDeps extends FailureDeps {
  readonly service: AuthorizationService;
}

interface State extends FailureState {
  text: string;
  params: Record<string, string>;
  client: AuthClient;
}

const issued = (body: TokenResponse): Answer => jsonAnswer(200, body, NO_STORE);

/**
 * POST /oauth/token: read → parse (form or JSON) → authenticate the client → choose failure → delay →
 * fail, or the grant (code, refresh_token, client_credentials) → respond. A failure stores nothing and
 * spends no code; slow_body does the grant and dribbles its answer.
 */
export function tokenEndpoint(deps: TokenDeps): Handler {
  const { service } = deps;
  const read: Step<State> = (ex, s) =>
    readBody(ex.req).then((text) => {
      s.text = text;
      ex.text = text;
      return undefined;
    });
  const parse: Step<State> = (ex, s) => {
    s.params = requestParams(parseBody(s.text, ex.req.headers['content-type'], ['form', 'json']));
    if (s.params['grant_type'] !== undefined) ex.grantType = s.params['grant_type'];
    return undefined;
  };
  const authenticate: Step<State> = async (ex, s) => {
    s.client = await authenticateClient(
      s.params,
      ex.req.headers,
      (id) => lookup(service, id),
      service.assertionCheck(),
    );
    ex.clientId = s.client.client_id;
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
    [read, parse, authenticate, ...failureSteps<State>('token', deps, subject, target), grant],
  );
}
