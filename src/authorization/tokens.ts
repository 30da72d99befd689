import type { JWTPayload } from 'jose';
import { InvalidToken } from '../errors.js';
import { type Jose, loadJose } from '../jose.js';
import type { Draw } from './draw.js';
import type { KeySet, SigningKey } from './keys.js';
import { formatScope, parseScope } from './scope.js';
import { type User, claimsFor } from './users.js';

/** Auth0's access token profiles: its own (typ JWT, azp) or RFC 9068's (typ at+jwt, client_id, jti). */
export const TOKEN_DIALECTS = ['auth0', 'rfc9068'] as const;
export type TokenDialect = (typeof TOKEN_DIALECTS)[number];

/** Auth0's defaults, in seconds. */
export const ACCESS_TOKEN_LIFETIME = 86_400;
export const ID_TOKEN_LIFETIME = 36_000;

const OPAQUE_LENGTH = 32;
const JTI_LENGTH = 22;
/** Opaque tokens remembered at most (the oldest forgotten first), so that a long run's memory stays bounded. */
const MAX_OPAQUE = 100_000;

export interface TokenIssuerOptions {
  /** Ends with `/`, as Auth0's does; `${issuer}userinfo` is the userinfo audience. A function when known only once the server listens. */
  readonly issuer: string | (() => string);
  readonly keys: KeySet;
  readonly clock: () => Date;
  readonly draw: Draw;
  readonly dialect?: TokenDialect | undefined;
  /** Seconds. */
  readonly accessTokenLifetime?: number | undefined;
  /** Seconds. */
  readonly idTokenLifetime?: number | undefined;
}

export interface AccessTokenRequest {
  /** The user's `sub`; for client_credentials, `${client_id}@clients` as Auth0 has it. */
  readonly sub: string;
  readonly clientId: string;
  readonly scope: readonly string[];
  /** The API. Without one the token is opaque, good for /userinfo only. */
  readonly audience?: string | undefined;
  /** Auth0 marks a client_credentials token with `gty: "client-credentials"`. */
  readonly grantType?: string | undefined;
}

export interface IdTokenRequest {
  readonly user: User;
  readonly clientId: string;
  readonly scope: readonly string[];
  readonly nonce?: string | undefined;
}

/** What a failure mode bends: a key outside the JWKS (bad_signature), an issue time long past (expired_token). */
export interface IssueOverrides {
  readonly key?: SigningKey | undefined;
  /** Seconds since the epoch. */
  readonly issuedAt?: number | undefined;
}

export interface IssuedToken {
  readonly token: string;
  readonly format: 'jwt' | 'opaque';
  /** Seconds, as `expires_in` says. */
  readonly expiresIn: number;
  readonly header?: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** What /userinfo learns from an access token it accepts. */
export interface AccessTokenGrant {
  readonly sub: string;
  readonly scope: string[];
  readonly clientId: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** jose's refusals as a client reads them, `access token must …`. */
const REFUSALS: ReadonlyArray<readonly [keyof Jose['errors'], string]> = [
  ['JWTExpired', 'access token must not have expired'],
  ['JWTClaimValidationFailed', 'access token must be issued by this server for this audience'],
  ['JWKSNoMatchingKey', 'access token must be signed by a key this server publishes'],
  ['JWSSignatureVerificationFailed', 'access token must carry a valid signature'],
];

/**
 * Signs access and id tokens (RS256, the key set's current key) and draws opaque ones. Time comes
 * from the clock only and draws from (seed, place in sequence) only, and PKCS #1 v1.5 signatures are
 * deterministic: the same requests at the same clock give the same bytes.
 */
export class TokenIssuer {
  readonly #options: TokenIssuerOptions;
  readonly #opaque = new Map<string, AccessTokenGrant & { readonly exp: number }>();
  #opaqueCount = 0;
  #jtiCount = 0;

  constructor(options: TokenIssuerOptions) {
    this.#options = options;
  }

  get issuer(): string {
    const { issuer } = this.#options;
    return typeof issuer === 'string' ? issuer : issuer();
  }

  get userinfoAudience(): string {
    return `${this.issuer}userinfo`;
  }

  get accessTokenLifetime(): number {
    return this.#options.accessTokenLifetime ?? ACCESS_TOKEN_LIFETIME;
  }

  async accessToken(request: AccessTokenRequest, overrides: IssueOverrides = {}): Promise<IssuedToken> {
    const { dialect = 'auth0' } = this.#options;
    const { issuer } = this;
    const expiresIn = this.accessTokenLifetime;
    const iat = overrides.issuedAt ?? this.#now();
    const exp = iat + expiresIn;
    const scope = formatScope(request.scope);
    if (request.audience === undefined) return this.#opaqueToken(request, iat, exp, expiresIn);
    const aud =
      request.scope.includes('openid') && request.audience !== this.userinfoAudience
        ? [request.audience, this.userinfoAudience]
        : request.audience;
    const claims: Record<string, unknown> = { iss: issuer, sub: request.sub, aud, iat, exp };
    if (request.grantType === 'client_credentials') claims['gty'] = 'client-credentials';
    if (dialect === 'rfc9068') {
      claims['client_id'] = request.clientId;
      claims['jti'] = this.#options.draw(`jti:${++this.#jtiCount}`, JTI_LENGTH);
    } else {
      claims['azp'] = request.clientId;
    }
    if (scope !== '') claims['scope'] = scope;
    return this.#sign(claims, dialect === 'rfc9068' ? 'at+jwt' : 'JWT', expiresIn, overrides.key);
  }

  /** OIDC Core §2: `aud` is the client; the user's claims are those the scope releases. */
  async idToken(request: IdTokenRequest, overrides: IssueOverrides = {}): Promise<IssuedToken> {
    const expiresIn = this.#options.idTokenLifetime ?? ID_TOKEN_LIFETIME;
    const iat = overrides.issuedAt ?? this.#now();
    const { sub, ...released } = claimsFor(request.user, request.scope);
    const claims: Record<string, unknown> = {
      ...released,
      iss: this.issuer,
      sub,
      aud: request.clientId,
      iat,
      exp: iat + expiresIn,
    };
    if (request.nonce !== undefined) claims['nonce'] = request.nonce;
    return this.#sign(claims, 'JWT', expiresIn, overrides.key);
  }

  /**
   * /userinfo's check: a JWT this server signed, unexpired, whose audience includes the userinfo
   * audience; or an opaque token it issued and still remembers. Throws InvalidToken (401) otherwise.
   */
  async verifyAccessToken(token: string, audience: string = this.userinfoAudience): Promise<AccessTokenGrant> {
    const opaque = audience === this.userinfoAudience ? this.#opaque.get(token) : undefined;
    if (opaque) {
      if (opaque.exp <= this.#now()) throw new InvalidToken('access token must not have expired');
      const { exp: _, ...grant } = opaque;
      return grant;
    }
    if (token.split('.').length !== 3) throw new InvalidToken('access token must be one this server issued');
    const { jwtVerify, errors } = await loadJose();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.#options.keys.verifier(), {
        issuer: this.issuer,
        audience,
        algorithms: ['RS256'],
        currentDate: this.#options.clock(),
      }));
    } catch (err) {
      const refusal = REFUSALS.find(([type]) => err instanceof errors[type]);
      throw new InvalidToken(refusal?.[1] ?? 'access token must be a JWT this server issued');
    }
    const clientId = payload['azp'] ?? payload['client_id'];
    return {
      sub: String(payload.sub),
      scope: parseScope(typeof payload['scope'] === 'string' ? payload['scope'] : undefined),
      clientId: typeof clientId === 'string' ? clientId : undefined,
      claims: payload,
    };
  }

  /** Forgets every opaque token and starts the draws again (a reset). */
  clear(): void {
    this.#opaque.clear();
    this.#opaqueCount = 0;
    this.#jtiCount = 0;
  }

  async #sign(claims: Record<string, unknown>, typ: string, expiresIn: number, key?: SigningKey): Promise<IssuedToken> {
    const signer = key ?? (await this.#options.keys.current());
    const header = { alg: signer.alg, typ, kid: signer.kid };
    const { SignJWT } = await loadJose();
    const token = await new SignJWT(claims).setProtectedHeader(header).sign(signer.privateKey);
    return { token, format: 'jwt', expiresIn, header, claims };
  }

  #opaqueToken(request: AccessTokenRequest, iat: number, exp: number, expiresIn: number): IssuedToken {
    const token = this.#options.draw(`opaque:${++this.#opaqueCount}`, OPAQUE_LENGTH);
    const grant = { sub: request.sub, scope: [...request.scope], clientId: request.clientId };
    // Not a JWT: these are what the inspector shows of it, shaped as the JWT's would be.
    const claims = {
      sub: request.sub,
      aud: this.userinfoAudience,
      iat,
      exp,
      scope: formatScope(request.scope),
      azp: request.clientId,
    };
    this.#opaque.set(token, { ...grant, claims, exp });
    if (this.#opaque.size > MAX_OPAQUE) this.#opaque.delete(this.#opaque.keys().next().value!);
    return { token, format: 'opaque', expiresIn, claims };
  }

  #now(): number {
    return Math.floor(this.#options.clock().getTime() / 1000);
  }
}
