import type { Draw } from './draw.js';
import { INVALID_CODE, InvalidGrant } from './errors.js';
import { checkVerifier } from './pkce.js';

/** Seconds a code lives (RFC 6749 §4.1.2 recommends 10 minutes at most). */
export const CODE_LIFETIME = 600;
const CODE_LENGTH = 43;
/** Codes kept at most: past it the oldest is forgotten, so codes never redeemed cannot fill the memory. */
const MAX_CODES = 100_000;

/** What an authorization code stands for: everything /authorize decided, bound to the code. */
export interface CodeBinding {
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly code_challenge?: string | undefined;
  readonly code_challenge_method?: 'S256' | undefined;
  readonly scope: readonly string[];
  readonly audience?: string | undefined;
  readonly nonce?: string | undefined;
  /** The user's `sub`. */
  readonly sub: string;
}

export interface CodeGrant extends CodeBinding {
  readonly code: string;
  /** Milliseconds since the epoch, by the injected clock. */
  readonly issued_at: number;
  readonly expires_at: number;
}

/** The token request's side of an authorization_code exchange. */
export interface CodeRedemption {
  readonly code: string | undefined;
  readonly client_id: string;
  readonly redirect_uri: string | undefined;
  readonly code_verifier: string | undefined;
}

export interface AuthorizationCodesOptions {
  readonly draw: Draw;
  readonly clock: () => Date;
  /** Seconds. Default CODE_LIFETIME. */
  readonly lifetime?: number | undefined;
}

/**
 * Authorization codes, in memory: single-use, each living `lifetime` seconds of the injected clock.
 * The n-th code since the start (or the last reset) is drawn from (seed, n).
 */
export class AuthorizationCodes {
  readonly #options: AuthorizationCodesOptions;
  readonly #codes = new Map<string, CodeGrant>();
  #count = 0;

  constructor(options: AuthorizationCodesOptions) {
    this.#options = options;
  }

  issue(binding: CodeBinding): CodeGrant {
    const now = this.#options.clock().getTime();
    this.#forgetExpired(now);
    const code = this.#options.draw(`code:${++this.#count}`, CODE_LENGTH);
    const lifetime = (this.#options.lifetime ?? CODE_LIFETIME) * 1000;
    const grant: CodeGrant = {
      ...binding,
      scope: [...binding.scope],
      code,
      issued_at: now,
      expires_at: now + lifetime,
    };
    this.#codes.set(code, grant);
    if (this.#codes.size > MAX_CODES) this.#codes.delete(this.#codes.keys().next().value!);
    return grant;
  }

  /** The code the next `issue` will draw, drawing nothing: what a spoiled success shows. */
  peek(): string {
    return this.#options.draw(`code:${this.#count + 1}`, CODE_LENGTH);
  }

  /**
   * The grant a token request may redeem, without spending it: a failure chosen after this check, or
   * any 4xx, leaves the code usable. Throws Auth0's `403 invalid_grant` for an unknown, spent or
   * expired code, another client's, or another redirect URI (`Invalid authorization code`), and for a
   * verifier that does not match the challenge (`Failed to verify code verifier`).
   */
  check(request: CodeRedemption): CodeGrant {
    const grant = request.code === undefined ? undefined : this.#codes.get(request.code);
    if (
      grant === undefined ||
      grant.expires_at <= this.#options.clock().getTime() ||
      grant.client_id !== request.client_id ||
      grant.redirect_uri !== request.redirect_uri
    ) {
      throw new InvalidGrant(INVALID_CODE);
    }
    checkVerifier(request.code_verifier, grant.code_challenge);
    return grant;
  }

  /** Spends a code: it is never redeemable again. */
  spend(code: string): void {
    this.#codes.delete(code);
  }

  /** Puts a spent code back, for an exchange that failed after spending it (its refresh token could not be stored). */
  restore(grant: CodeGrant): void {
    if (grant.expires_at > this.#options.clock().getTime()) this.#codes.set(grant.code, grant);
  }

  /** check, then spend: the exchange when nothing else can fail after it. */
  redeem(request: CodeRedemption): CodeGrant {
    const grant = this.check(request);
    this.spend(grant.code);
    return grant;
  }

  /** The codes not yet redeemed nor expired, for the control plane. */
  list(): CodeGrant[] {
    const now = this.#options.clock().getTime();
    return [...this.#codes.values()].filter((grant) => grant.expires_at > now);
  }

  /** Forgets every code and starts the draws again (a reset). */
  clear(): void {
    this.#codes.clear();
    this.#count = 0;
  }

  /** Codes are kept in the order issued; with a clock that only moves on, the expired ones are at the front. */
  #forgetExpired(now: number): void {
    for (const [code, grant] of this.#codes) {
      if (grant.expires_at > now) break;
      this.#codes.delete(code);
    }
  }
}
