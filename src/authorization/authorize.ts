import { OAuthError } from '../errors.js';
import type { AuthorizeContext } from '../failures/authorization-modes.js';
import { type Api, Apis } from './apis.js';
import type { AuthClient } from './clients.js';
import { AccessDenied, InvalidRequest, InvalidScope } from './errors.js';
import { type PkceChallenge, readChallenge } from './pkce.js';
import { parseScope } from './scope.js';
import type { User, Users } from './users.js';

/** How the user answers /authorize: no page at all, an Accept/Decline page, or a page to pick a user. */
export const LOGIN_MODES = ['auto', 'consent', 'login'] as const;
export type LoginMode = (typeof LOGIN_MODES)[number];

export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/**
 * What Auth0's strict mode accepts on /authorize from a third-party client (besides `ext-*`); anything
 * else is `invalid_request`. dcr-mock's own `__fail` is always accepted.
 */
export const STRICT_PARAMETERS: readonly string[] = [
  'acr_values',
  'audience',
  'authorization_details',
  'client_id',
  'code_challenge',
  'code_challenge_method',
  'connection',
  'correlation_id',
  'display',
  'dpop_jkt',
  'login_hint',
  'max_age',
  'nonce',
  'prompt',
  'redirect_uri',
  'resource',
  'response_type',
  'scope',
  'state',
  'ui_locales',
];
const OWN_PARAMETERS = ['__fail'];

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

export interface AuthorizeSettings {
  readonly issuer: () => string;
  /** RFC 9207: `iss` in every authorization response (Auth0's "Include Issuer in Authorization Responses"). */
  readonly issParam: boolean;
  /** Auth0's Resource Parameter Compatibility Profile: `resource` names the API when `audience` is absent. */
  readonly resourceParam: boolean;
  readonly apis: Apis;
  readonly users: Users;
}

/** An authorization request that passed every check: what a code will be bound to, and how to answer. */
export interface AuthorizationRequest {
  readonly client: AuthClient;
  readonly redirect_uri: string;
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  /** The scope that will be granted (API scopes it does not define dropped, as Auth0 drops them). */
  readonly scope: readonly string[];
  readonly audience: string | undefined;
  readonly challenge: PkceChallenge | undefined;
  readonly prompt: readonly string[];
  /** The user login_hint names, if any. */
  readonly hinted: User | undefined;
  readonly responseMode: ResponseMode;
  /** Where errors and the code go. */
  readonly context: AuthorizeContext;
}

/**
 * A wrong or missing client_id or redirect_uri: an error page and no redirect (RFC 6749 §4.1.2.1,
 * Auth0's open-redirect protection). JSON for a client that asks for it.
 */
export class AuthorizePageError extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_request', description);
  }
}

/** Any other refusal: sent to the redirect URI with the request's state (RFC 6749 §4.1.2.1). */
export class AuthorizeRedirectError extends OAuthError {
  constructor(
    readonly context: AuthorizeContext,
    error: string,
    description: string,
  ) {
    super(302, error, description);
  }

  static from(context: AuthorizeContext, err: OAuthError): AuthorizeRedirectError {
    return new AuthorizeRedirectError(context, err.error, err.description);
  }
}

/** The one value of a parameter; undefined when absent. A parameter given twice is refused (RFC 6749 §3.1). */
function single(query: URLSearchParams, name: string, onTwice: (why: string) => Error): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw onTwice(`${name} must be given once, got it ${values.length} times`);
  return values[0];
}

/** Where an authorization request's answer may go: a stored client, and one of its redirect URIs. */
export interface RedirectTarget {
  readonly client: AuthClient;
  readonly redirect_uri: string;
  readonly state: string | undefined;
  readonly context: AuthorizeContext;
}

/**
 * The client and its redirect URI, checked before anything else: an error here is a page, never a
 * redirect. `client` looks a client_id up in the store.
 */
export function readRedirectTarget(
  query: URLSearchParams,
  client: (clientId: string) => AuthClient | undefined,
  settings: AuthorizeSettings,
): RedirectTarget {
  const page = (why: string) => new AuthorizePageError(why);
  const clientId = single(query, 'client_id', page);
  if (clientId === undefined || clientId === '') {
    throw page('client_id must be given: the client_id the registration returned');
  }
  const found = client(clientId);
  if (!found) {
    throw page(
      `Unknown client: ${clientId}. client_id must be one this server issued or preloaded (GET /__dcr/clients lists them)`,
    );
  }
  const asked = single(query, 'redirect_uri', page);
  const redirectUri = asked ?? (found.redirectUris.length === 1 ? found.redirectUris[0] : undefined);
  if (redirectUri === undefined) {
    throw page(
      asked === undefined
        ? `redirect_uri must be given: the client registered ${found.redirectUris.length} redirect URIs`
        : 'redirect_uri must not be empty',
    );
  }
  if (!found.redirectUris.includes(redirectUri)) {
    throw page(
      `Callback URL mismatch. redirect_uri must equal one the client registered, exactly: ${JSON.stringify(redirectUri)} is not in ${JSON.stringify(found.redirectUris)}`,
    );
  }
  const state = query.get('state') ?? undefined;
  const context: AuthorizeContext = {
    redirect_uri: redirectUri,
    state,
    iss: settings.issParam ? settings.issuer() : undefined,
  };
  return { client: found, redirect_uri: redirectUri, state, context };
}

/** The rest of the request, for a target already checked: an error here is sent to the redirect URI. */
export function readAuthorizationRequest(
  query: URLSearchParams,
  target: RedirectTarget,
  settings: AuthorizeSettings,
): AuthorizationRequest {
  try {
    return { ...readTheRest(query, target.client, settings), ...target };
  } catch (err) {
    if (err instanceof OAuthError && !(err instanceof AuthorizeRedirectError)) {
      throw AuthorizeRedirectError.from(target.context, err);
    }
    throw err;
  }
}

type Rest = Omit<AuthorizationRequest, 'client' | 'redirect_uri' | 'state' | 'context'>;

function readTheRest(query: URLSearchParams, client: AuthClient, settings: AuthorizeSettings): Rest {
  const invalid = (why: string) => new InvalidRequest(why);
  for (const name of new Set(query.keys())) {
    single(query, name, invalid);
    if (
      client.strict &&
      !STRICT_PARAMETERS.includes(name) &&
      !OWN_PARAMETERS.includes(name) &&
      !name.startsWith('ext-')
    ) {
      throw invalid(
        `Parameter ${name} is not allowed for this client: a third-party client in Auth0's strict mode may send only ${STRICT_PARAMETERS.join(', ')} and ext-*`,
      );
    }
  }
  const responseType = query.get('response_type');
  if (responseType === null || responseType === '') throw invalid('response_type must be given: code');
  if (responseType !== 'code') {
    throw new OAuthError(
      400,
      'unsupported_response_type',
      `response_type must be code (the authorization code flow), got ${JSON.stringify(responseType)}`,
    );
  }
  const responseMode = query.get('response_mode') ?? 'query';
  if (!(RESPONSE_MODES as readonly string[]).includes(responseMode)) {
    throw invalid(`response_mode must be one of ${RESPONSE_MODES.join(', ')}, got ${JSON.stringify(responseMode)}`);
  }
  const challenge = readChallenge(
    {
      code_challenge: query.get('code_challenge') ?? undefined,
      code_challenge_method: query.get('code_challenge_method') ?? undefined,
    },
    client.isPublic || client.strict,
  );
  const scopeParam = query.get('scope') ?? '';
  if (scopeParam !== '' && !SCOPE.test(scopeParam)) {
    throw new InvalidScope(
      `scope must be scope names separated by single spaces, without quotes or backslashes, got ${JSON.stringify(scopeParam)}`,
    );
  }
  const audience = audienceOf(query, settings);
  let api: Api | undefined;
  if (audience !== undefined) api = settings.apis.resolve(audience);
  let scope = Apis.grantable(api, parseScope(scopeParam));
  // Strict mode ignores the OpenID scopes: no id_token, no /userinfo.
  if (client.strict) scope = scope.filter((s) => !['openid', 'profile', 'email'].includes(s));
  const prompt = parseScope(query.get('prompt') ?? undefined);
  if (prompt.includes('none') && prompt.length > 1) {
    throw invalid(`prompt=none must stand alone, got ${JSON.stringify(query.get('prompt'))}`);
  }
  const hint = query.get('login_hint') ?? undefined;
  let hinted: User | undefined;
  if (hint !== undefined && hint !== '') {
    hinted = settings.users.byLoginHint(hint);
    if (!hinted) {
      throw new OAuthError(
        400,
        'login_required',
        `login_hint ${JSON.stringify(hint)} names no user of this server; its users are ${settings.users.list.map((u) => u['email'] ?? u.sub).join(', ')}`,
      );
    }
  }
  return {
    nonce: query.get('nonce') ?? undefined,
    scope,
    audience: api?.identifier,
    challenge,
    prompt,
    hinted,
    responseMode: responseMode as ResponseMode,
  };
}

/** `audience` wins; `resource` (RFC 8707) names the API only under the Resource Parameter Compatibility Profile. */
function audienceOf(query: URLSearchParams, settings: AuthorizeSettings): string | undefined {
  const audience = query.get('audience');
  if (audience !== null && audience !== '') return audience;
  const resource = query.get('resource');
  if (resource === null || resource === '' || !settings.resourceParam) return undefined;
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new OAuthError(
      400,
      'invalid_target',
      `resource must be an absolute URI (RFC 8707), got ${JSON.stringify(resource)}`,
    );
  }
  if (url.hash !== '') throw new OAuthError(400, 'invalid_target', 'resource must not have a fragment (RFC 8707)');
  return resource;
}

/** The answer a login mode needs before a code can be issued: none, a consent page, or a login page. */
export function pageNeeded(request: AuthorizationRequest, login: LoginMode): 'none' | 'consent' | 'login' {
  const forced = request.prompt;
  let page: 'none' | 'consent' | 'login' = 'none';
  if (login === 'login' && !request.hinted) page = 'login';
  else if (login === 'consent' || (login !== 'auto' && forced.includes('consent'))) page = 'consent';
  if (page !== 'none' && forced.includes('none')) {
    const error = page === 'login' ? 'login_required' : 'consent_required';
    throw new AuthorizeRedirectError(
      request.context,
      error,
      page === 'login'
        ? 'Login required: prompt=none, and the user must pick an account (--login login)'
        : 'Consent required: prompt=none, and the user must accept (--login consent)',
    );
  }
  return page;
}

/** The user declined on the consent page. */
export const declined = (request: AuthorizationRequest): AuthorizeRedirectError =>
  AuthorizeRedirectError.from(request.context, new AccessDenied('The user declined the request'));
