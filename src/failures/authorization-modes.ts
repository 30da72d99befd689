import { InvalidToken, OAuthError } from '../errors.js';
import { type Answer, NO_STORE, htmlAnswer } from '../http/answer.js';
import type { EndpointSpec, HttpFailureOptions, ModeSpec } from './catalogue-types.js';
import { COMMON_MODES, NOTE, injected } from './common-modes.js';

/**
 * The failure tables of the authorization server's endpoints: each endpoint's own modes, answered in
 * its wire format (a redirect for /authorize, Auth0's JSON errors for /oauth/token), beside the common ones.
 */

/** What /authorize tells a redirecting mode: where the client waits, and what it must get back. */
export interface AuthorizeContext {
  readonly redirect_uri: string;
  readonly state?: string | undefined;
  /** Set when the server sends `iss` in authorization responses (--iss-param). */
  readonly iss?: string | undefined;
}

/** The value a `wrong_iss` or `wrong_state` answer carries: never one a client could have expected. */
export const WRONG_ISSUER = 'https://wrong-issuer.dcr-mock.invalid/';
export const WRONG_STATE = 'wrong-state-from-dcr-mock';
/** The audience a `wrong_audience` token names. */
export const WRONG_AUDIENCE = 'https://wrong-audience.dcr-mock.invalid/';

/** RFC 6749 §4.1.2.1: the error sent back to the client's redirect URI, with its state (and iss). */
export function errorRedirect(context: AuthorizeContext, error: string, description: string): Answer {
  const url = new URL(context.redirect_uri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (context.state !== undefined) url.searchParams.set('state', context.state);
  if (context.iss !== undefined) url.searchParams.set('iss', context.iss);
  return redirect(url.href);
}

/** A 302 with the small page Auth0 sends beside it. */
export function redirect(location: string): Answer {
  return {
    status: 302,
    headers: { location, 'content-type': 'text/html; charset=utf-8', ...NO_STORE },
    body: `<p>Found. Redirecting to <a href="${escapeHtml(location)}">${escapeHtml(location)}</a></p>`,
  };
}

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const redirecting = (error: string, description: string, summary: string): ModeSpec => ({
  group: 'authorize',
  kind: 'http',
  summary,
  answer: ({ context }: HttpFailureOptions) => {
    const at = context as AuthorizeContext | undefined;
    if (!at) throw new Error(`authorize:${error} needs the redirect URI of the request`);
    return errorRedirect(at, error, `${description} ${NOTE}`);
  },
});

/**
 * The variant of /authorize's success whose code is issued, as a success's is: a client that does not check
 * state or iss then redeems it and goes on, so that a test sees the check missing instead of an unknown code.
 */
export const ISSUED = 'issued';

/** Rewrites the query of a success redirect's Location. */
const respell =
  (change: (params: URLSearchParams) => void) =>
  (success: Answer): Answer => {
    const location = success.headers['location'];
    if (location === undefined) return success;
    const url = new URL(location);
    change(url.searchParams);
    return redirect(url.href);
  };

/** GET /authorize's own modes. */
const AUTHORIZE_MODES = {
  ...COMMON_MODES,
  access_denied: redirecting('access_denied', 'The user declined the request', 'redirect with error=access_denied'),
  login_required: redirecting('login_required', 'Login required', 'redirect with error=login_required'),
  consent_required: redirecting('consent_required', 'Consent required', 'redirect with error=consent_required'),
  invalid_scope: redirecting('invalid_scope', 'The scope must be acceptable', 'redirect with error=invalid_scope'),
  invalid_request: redirecting(
    'invalid_request',
    'The request must be acceptable',
    'redirect with error=invalid_request',
  ),
  server_error: redirecting(
    'server_error',
    'The server met an unexpected condition',
    'redirect with error=server_error',
  ),
  temporarily_unavailable: redirecting(
    'temporarily_unavailable',
    'The service is temporarily unavailable',
    'redirect with error=temporarily_unavailable',
  ),
  error_page: {
    group: 'authorize',
    kind: 'http',
    summary: '400 HTML error page, no redirect (as for a wrong client or redirect URI)',
    answer: () =>
      htmlAnswer(
        400,
        `<!doctype html><title>Error</title><h1>Oops!, something went wrong</h1><p>invalid_request: the request must be acceptable ${NOTE}</p>`,
        NO_STORE,
      ),
  },
  malformed_json: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '302 whose Location is cut off halfway',
    spoil: (success) => {
      const location = success.headers['location'] ?? '';
      return { ...success, headers: { ...success.headers, location: location.slice(0, location.length >> 1) } };
    },
  },
  wrong_state: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'success redirect whose state is not the one sent',
    variant: ISSUED,
    spoil: respell((p) => p.set('state', WRONG_STATE)),
  },
  missing_state: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'success redirect without state',
    variant: ISSUED,
    spoil: respell((p) => p.delete('state')),
  },
  wrong_iss: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'success redirect whose iss is another issuer',
    variant: ISSUED,
    spoil: respell((p) => p.set('iss', WRONG_ISSUER)),
  },
  missing_iss: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'success redirect without iss (differs from success only with --iss-param)',
    variant: ISSUED,
    spoil: respell((p) => p.delete('iss')),
  },
} satisfies Record<string, ModeSpec>;

const tokenError = (status: number, error: string, description: string): ModeSpec => ({
  group: 'token',
  kind: 'http',
  summary: `${status} ${error}`,
  answer: injected(new OAuthError(status, error, description)),
});

/** Edits the JSON body of a success answer. */
const rewrite =
  (change: (body: Record<string, unknown>) => void) =>
  (success: Answer): Answer => {
    const body = JSON.parse(success.body) as Record<string, unknown>;
    change(body);
    return { ...success, body: JSON.stringify(body) };
  };

/** POST /oauth/token's own modes. */
const TOKEN_MODES = {
  ...COMMON_MODES,
  invalid_grant: tokenError(403, 'invalid_grant', 'Invalid authorization code'),
  invalid_client: tokenError(401, 'invalid_client', 'Client authentication failed'),
  unauthorized_client: tokenError(403, 'unauthorized_client', 'The client is not authorized to use this grant type'),
  invalid_scope: tokenError(400, 'invalid_scope', 'The scope must be acceptable'),
  access_denied: tokenError(403, 'access_denied', 'Unauthorized'),
  malformed_json: { ...COMMON_MODES.malformed_json, summary: '200 whose JSON body is cut off' },
  missing_access_token: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '200 without access_token',
    spoil: rewrite((body) => delete body['access_token']),
  },
  wrong_token_type: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '200 with token_type "MAC"',
    spoil: rewrite((body) => {
      body['token_type'] = 'MAC';
    }),
  },
  expired_token: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '200 whose tokens are already past exp',
    variant: 'expired',
  },
  bad_signature: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '200 whose tokens are signed by a key the JWKS does not publish',
    variant: 'outsider',
  },
  wrong_audience: {
    group: 'bad success',
    kind: 'bad-success',
    summary: `200 whose access token names another audience (${WRONG_AUDIENCE})`,
    variant: 'wrong_audience',
  },
  no_refresh_token: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '200 without refresh_token',
    spoil: rewrite((body) => delete body['refresh_token']),
  },
} satisfies Record<string, ModeSpec>;

const USERINFO_MODES = {
  ...COMMON_MODES,
  invalid_token: {
    group: 'token',
    kind: 'http',
    summary: '401 with WWW-Authenticate: Bearer error="invalid_token"',
    answer: () => new InvalidToken(`the access token must be valid ${NOTE}`).toAnswer(),
  },
  malformed_json: { ...COMMON_MODES.malformed_json, summary: '200 whose JSON body is cut off' },
} satisfies Record<string, ModeSpec>;

const JWKS_MODES = {
  ...COMMON_MODES,
  unknown_kid: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'a JWKS without the key that signs (another key in its place)',
    variant: 'unknown_kid',
  },
  empty: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '{"keys": []}',
    spoil: rewrite((body) => {
      body['keys'] = [];
    }),
  },
} satisfies Record<string, ModeSpec>;

const DISCOVERY_MODES = {
  ...COMMON_MODES,
  issuer_mismatch: {
    group: 'bad success',
    kind: 'bad-success',
    summary: `metadata whose issuer is another (${WRONG_ISSUER})`,
    spoil: rewrite((body) => {
      body['issuer'] = WRONG_ISSUER;
    }),
  },
  no_pkce_methods: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'metadata without code_challenge_methods_supported',
    spoil: rewrite((body) => delete body['code_challenge_methods_supported']),
  },
  no_registration_endpoint: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'metadata without registration_endpoint',
    spoil: rewrite((body) => delete body['registration_endpoint']),
  },
  trailing_slash: {
    group: 'bad success',
    kind: 'bad-success',
    summary: "metadata whose issuer lacks its trailing / (Auth0's https://TENANT/ against https://TENANT)",
    spoil: rewrite((body) => {
      if (typeof body['issuer'] === 'string') body['issuer'] = body['issuer'].replace(/\/$/, '');
    }),
  },
} satisfies Record<string, ModeSpec>;

/** What /mcp tells its modes: where its protected resource metadata is, and the scope to ask for. */
export interface McpContext {
  readonly resource_metadata: string;
  readonly scope: string;
}

const mcpChallenge = (status: number, error: string, description: string, withMetadata: boolean): ModeSpec => ({
  group: 'mcp',
  kind: 'http',
  summary: `${status} ${error}${withMetadata ? '' : ' without resource_metadata'}`,
  answer: ({ context }: HttpFailureOptions) => {
    const at = context as McpContext | undefined;
    const fields = [`error="${error}"`, `error_description="${description} ${NOTE}"`];
    if (withMetadata && at) fields.push(`resource_metadata="${at.resource_metadata}"`);
    if (at) fields.push(`scope="${at.scope}"`);
    return new OAuthError(status, error, `${description} ${NOTE}`, {
      'www-authenticate': `Bearer ${fields.join(', ')}`,
    }).toAnswer();
  },
});

const MCP_MODES = {
  ...COMMON_MODES,
  no_resource_metadata: mcpChallenge(401, 'invalid_token', 'the access token must be valid', false),
  invalid_token: mcpChallenge(401, 'invalid_token', 'the access token must be valid', true),
  insufficient_scope: mcpChallenge(403, 'insufficient_scope', 'the access token must have more scope', true),
} satisfies Record<string, ModeSpec>;

const PRM_MODES = {
  ...COMMON_MODES,
  missing: {
    group: 'prm',
    kind: 'http',
    summary: '404: no protected resource metadata here',
    answer: () => new OAuthError(404, 'not_found', `no protected resource metadata here ${NOTE}`).toAnswer(),
  },
  wrong_resource: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'metadata whose resource is another URL',
    spoil: rewrite((body) => {
      body['resource'] = 'https://wrong-resource.dcr-mock.invalid/mcp';
    }),
  },
  no_authorization_servers: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'metadata without authorization_servers',
    spoil: rewrite((body) => delete body['authorization_servers']),
  },
} satisfies Record<string, ModeSpec>;

/** The authorization server's endpoints, as the catalogue holds them. */
export const AUTHORIZATION_ENDPOINTS: Readonly<Record<string, EndpointSpec>> = {
  authorize: { modes: AUTHORIZE_MODES, matchKeys: ['client_id', 'redirect_uri', 'scope', 'audience'] },
  token: { modes: TOKEN_MODES, matchKeys: ['client_id', 'grant_type', 'scope', 'audience'] },
  revoke: { modes: COMMON_MODES, matchKeys: ['client_id'] },
  userinfo: { modes: USERINFO_MODES, matchKeys: [] },
  jwks: { modes: JWKS_MODES, matchKeys: [] },
  discovery: { modes: DISCOVERY_MODES, matchKeys: [] },
  prm: { modes: PRM_MODES, matchKeys: [] },
  mcp: { modes: MCP_MODES, matchKeys: [] },
};
