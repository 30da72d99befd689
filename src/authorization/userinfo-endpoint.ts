import { InvalidToken, OAuthError } from '../errors.js';
import { type FailureDeps, type FailureState, type FailureTarget, failureSteps } from '../failures/apply.js';
import type { Subject } from '../failures/rules.js';
import { type Answer, NO_STORE, jsonAnswer } from '../http/answer.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import type { AuthorizationService } from './service.js';
import type { AccessTokenGrant } from './tokens.js';
import { claimsFor } from './users.js';

export interface UserinfoDeps extends FailureDeps {
  readonly service: AuthorizationService;
}

interface State extends FailureState {
  token: string;
  grant: AccessTokenGrant;
}

/** RFC 6750 §3.1: a request with no token gets the challenge alone. */
const NO_TOKEN = new OAuthError(
  401,
  'invalid_request',
  'an access token must be given: Authorization: Bearer <access_token>',
  { 'www-authenticate': 'Bearer realm="dcr-mock"' },
);

function bearer(ex: Exchange): string | undefined {
  const header = ex.req.headers.authorization;
  const match = header === undefined ? null : /^Bearer +([^\s]+) *$/i.exec(header);
  return match?.[1];
}

/** GET (or POST) /userinfo: the user's claims that the token's scope releases (OIDC Core §5.3). */
export function userinfoEndpoint(deps: UserinfoDeps): Handler {
  const { service } = deps;
  const token: Step<State> = (ex, s) => {
    const found = bearer(ex);
    if (found === undefined) throw NO_TOKEN;
    s.token = found;
    return undefined;
  };
  const verify: Step<State> = (_ex, s) =>
    service.tokens.verifyAccessToken(s.token).then((grant) => {
      s.grant = grant;
      return undefined;
    });
  const claims = (grant: AccessTokenGrant): Answer => {
    const user = service.users.bySub(grant.sub);
    if (!user) throw new InvalidToken("access token must be a user's: this one is a client's (client_credentials)");
    return jsonAnswer(200, claimsFor(user, grant.scope), NO_STORE);
  };
  const respond: Step<State> = (_ex, s) => claims(s.grant);
  const subject = (ex: Exchange): Subject => ({ headers: ex.req.headers, values: {} });
  const target = (_ex: Exchange, s: State): FailureTarget => ({
    preview: async () => {
      try {
        return claims(await service.tokens.verifyAccessToken(s.token));
      } catch {
        return jsonAnswer(200, claimsFor(service.users.default, ['openid', 'profile', 'email']), NO_STORE);
      }
    },
    commit: async () => claims(await service.tokens.verifyAccessToken(s.token)),
  });
  return pipeline(
    () => ({}) as State,
    [token, ...failureSteps<State>('userinfo', deps, subject, target), verify, respond],
  );
}
