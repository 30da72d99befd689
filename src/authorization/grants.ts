import { WRONG_AUDIENCE } from '../failures/authorization-modes.js';
import { Apis } from './apis.js';
import type { AuthClient } from './clients.js';
import type { AuthorizationCodes, CodeGrant } from './codes.js';
import { AccessDenied, InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from './errors.js';
import type { IssuedTokens } from './issued.js';
import type { SigningKey } from './keys.js';
import type { RefreshTokens } from './refresh-tokens.js';
import { formatScope, parseScope } from './scope.js';
import type { IssueOverrides, IssuedToken, TokenIssuer } from './tokens.js';
import type { User, Users } from './users.js';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/** The token request's parameters (form or JSON), each a string when given. */
export type TokenParams = Readonly<Record<string, string | undefined>>;

/** What a grant decided, before anything is signed or stored. */
interface Decided {
  readonly sub: string;
  readonly user: User | undefined;
  readonly scope: readonly string[];
  readonly audience: string | undefined;
  readonly nonce?: string | undefined;
  readonly grantType: string;
  /** What must happen for the answer to hold: a code spent, a refresh family rotated, a new one issued. */
  readonly commit: () => Promise<string | undefined>;
}

/** The success body of POST /oauth/token, fields in Auth0's order. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  expires_in: number;
  token_type: 'Bearer';
}

export interface TokenGrantsDeps {
  readonly codes: AuthorizationCodes;
  readonly tokens: TokenIssuer;
  readonly refresh: RefreshTokens;
  readonly users: Users;
  readonly apis: Apis;
  readonly issued: IssuedTokens;
  readonly clock: () => Date;
  /** A bad_signature token is signed by it. */
  readonly outsider: () => Promise<SigningKey>;
}

/**
 * The grants of POST /oauth/token. `answer` checks, then (with `commit`) spends the code or rotates
 * the refresh token and signs; `preview` signs what the request would get, storing and spending nothing,
 * for a failure mode to spoil (`variant`: a token already expired, signed by an outsider, for another audience).
 */
export class TokenGrants {
  readonly #deps: TokenGrantsDeps;

  constructor(deps: TokenGrantsDeps) {
    this.#deps = deps;
  }

  async answer(params: TokenParams, client: AuthClient): Promise<TokenResponse> {
    const decided = await this.#decide(params, client, false);
    const refreshToken = await decided.commit();
    return this.#sign(decided, client, refreshToken, undefined);
  }

  /** What a success would carry, with nothing stored: a refresh token is not issued. */
  async preview(params: TokenParams, client: AuthClient, variant?: string): Promise<TokenResponse> {
    let decided: Decided;
    try {
      decided = await this.#decide(params, client, true);
    } catch {
      // The request itself would fail; a failure mode answers in its place all the same.
      const user = this.#deps.users.default;
      const scope = parseScope(params['scope']);
      decided = {
        sub: user.sub,
        user,
        scope,
        audience: params['audience'],
        grantType: params['grant_type'] ?? '',
        commit: async () => undefined,
      };
    }
    return this.#sign(decided, client, undefined, variant);
  }

  /** `dry`: check only, changing nothing (a refresh token is looked up, not exchanged). */
  async #decide(params: TokenParams, client: AuthClient, dry: boolean): Promise<Decided> {
    const grantType = params['grant_type'];
    if (grantType === undefined || grantType === '') {
      throw new InvalidRequest(`grant_type must be given: one of ${GRANT_TYPES.join(', ')}`);
    }
    switch (grantType) {
      case 'authorization_code':
        return this.#code(params, client);
      case 'refresh_token':
        return this.#refresh(params, client, dry);
      case 'client_credentials':
        return this.#clientCredentials(params, client);
      default:
        throw new UnsupportedGrantType(grantType);
    }
  }

  #code(params: TokenParams, client: AuthClient): Decided {
    this.#allowed(client, 'authorization_code');
    if (params['code'] === undefined || params['code'] === '')
      throw new InvalidRequest('code must be given: the code /authorize sent to the redirect URI');
    const grant: CodeGrant = this.#deps.codes.check({
      code: params['code'],
      client_id: client.client_id,
      redirect_uri: params['redirect_uri'],
      code_verifier: params['code_verifier'],
    });
    const user = this.#deps.users.bySub(grant.sub);
    const offline = grant.scope.includes('offline_access') && client.grantTypes.includes('refresh_token');
    return {
      sub: grant.sub,
      user,
      scope: grant.scope,
      audience: grant.audience,
      nonce: grant.nonce,
      grantType: 'authorization_code',
      commit: async () => {
        // Spent first: a second exchange of the same code, arriving while the family is stored, is refused.
        this.#deps.codes.spend(grant.code);
        if (!offline) return undefined;
        try {
          const { refresh_token } = await this.#deps.refresh.issue({
            client_id: client.client_id,
            sub: grant.sub,
            scope: grant.scope,
            audience: grant.audience,
          });
          return refresh_token;
        } catch (err) {
          // Not stored (the store is unavailable): the code stays good for a retry.
          this.#deps.codes.restore(grant);
          throw err;
        }
      },
    };
  }

  async #refresh(params: TokenParams, client: AuthClient, dry: boolean): Promise<Decided> {
    this.#allowed(client, 'refresh_token');
    if (params['refresh_token'] === undefined || params['refresh_token'] === '') {
      throw new InvalidRequest('refresh_token must be given: the refresh_token a code exchange returned');
    }
    const family = this.#deps.refresh.find(params['refresh_token']);
    if (dry) {
      if (!family || family.client_id !== client.client_id) throw new InvalidRequest('unknown refresh token');
      const asked = parseScope(params['scope']);
      return {
        sub: family.sub,
        user: this.#deps.users.bySub(family.sub),
        scope: asked.length > 0 ? asked : family.scope,
        audience: family.audience ?? undefined,
        grantType: 'refresh_token',
        commit: async () => undefined,
      };
    }
    // The exchange itself is the check (a rotated-out token revokes its family), so it runs now, not at commit.
    const result = await this.#deps.refresh.exchange({
      refresh_token: params['refresh_token'],
      client_id: client.client_id,
      scope: params['scope'],
    });
    const sub = result.record.sub;
    return {
      sub,
      user: this.#deps.users.bySub(sub),
      scope: result.scope,
      audience: result.record.audience ?? family?.audience ?? undefined,
      grantType: 'refresh_token',
      commit: async () => result.refresh_token,
    };
  }

  #clientCredentials(params: TokenParams, client: AuthClient): Decided {
    if (client.isPublic || !client.firstParty || !client.grantTypes.includes('client_credentials')) {
      throw new UnauthorizedClient('client_credentials');
    }
    const audience = params['audience'] ?? params['resource'];
    if (audience === undefined || audience === '') {
      throw new AccessDenied('No audience parameter was provided, and no default audience has been configured');
    }
    const api = this.#deps.apis.resolve(audience);
    const asked = parseScope(params['scope']);
    const scope =
      asked.length > 0
        ? Apis.grantable(api, asked).filter((s) => s !== 'openid' && s !== 'offline_access')
        : [...(api.scopes ?? [])];
    return {
      sub: `${client.client_id}@clients`,
      user: undefined,
      scope,
      audience: api.identifier,
      grantType: 'client_credentials',
      commit: async () => undefined,
    };
  }

  #allowed(client: AuthClient, grantType: string): void {
    if (!client.grantTypes.includes(grantType)) throw new UnauthorizedClient(grantType);
  }

  async #sign(
    decided: Decided,
    client: AuthClient,
    refreshToken: string | undefined,
    variant: string | undefined,
  ): Promise<TokenResponse> {
    const { tokens, issued } = this.#deps;
    const overrides: { -readonly [K in keyof IssueOverrides]: IssueOverrides[K] } = {};
    if (variant === 'expired') {
      // Issued so long ago that both tokens are past their exp by an hour.
      overrides.issuedAt = Math.floor(this.#deps.clock().getTime() / 1000) - tokens.accessTokenLifetime - 36_000 - 3600;
    }
    if (variant === 'outsider') overrides.key = await this.#deps.outsider();
    const audience = variant === 'wrong_audience' ? WRONG_AUDIENCE : decided.audience;
    const access = await tokens.accessToken(
      { sub: decided.sub, clientId: client.client_id, scope: decided.scope, audience, grantType: decided.grantType },
      overrides,
    );
    const record = (kind: string, token: IssuedToken) =>
      issued.record({ kind, client_id: client.client_id, grant_type: decided.grantType, variant, token });
    record('access_token', access);
    const body: TokenResponse = { access_token: access.token, expires_in: access.expiresIn, token_type: 'Bearer' };
    if (refreshToken !== undefined) body.refresh_token = refreshToken;
    if (decided.user && decided.scope.includes('openid') && !client.strict) {
      const id = await tokens.idToken(
        { user: decided.user, clientId: client.client_id, scope: decided.scope, nonce: decided.nonce },
        overrides,
      );
      record('id_token', id);
      body.id_token = id.token;
    }
    const scope = formatScope(decided.scope);
    if (scope !== '') body.scope = scope;
    // Auth0's order: access_token, refresh_token, id_token, scope, expires_in, token_type.
    const { access_token, refresh_token, id_token, expires_in, token_type } = body;
    return {
      access_token,
      ...(refresh_token !== undefined && { refresh_token }),
      ...(id_token !== undefined && { id_token }),
      ...(body.scope !== undefined && { scope: body.scope }),
      expires_in,
      token_type,
    };
  }
}
