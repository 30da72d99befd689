import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidToken, RateLimited, TooManyEntities, rateLimitHeaders } from '../errors.js';
import { bearerToken, oneOfTokens } from '../http/bearer.js';
import type { RateLimit } from './options.js';
import { TokenBucket } from './token-bucket.js';

export interface GateOptions {
  readonly rateLimit: RateLimit | undefined;
  readonly initialAccessTokens: readonly string[];
  readonly maxClients: number | undefined;
  /** How many clients are stored now. */
  readonly clientCount: () => number;
  readonly clock: () => Date;
}

/** Gives back a place under the tenant limit; calling it again does nothing. */
export type Release = () => void;

const NOTHING_HELD: Release = () => {};

/**
 * What a registration must get past before anything else looks at it, in this order: Auth0's rate
 * limit (every request takes a token, as at a real gateway), the initial access token (RFC 7591 §3),
 * Auth0's tenant application limit. A refused request stores nothing and advances nothing.
 */
export class RegistrationGate {
  readonly #options: GateOptions;
  readonly #bucket: TokenBucket | undefined;
  /** Registrations admitted under the tenant limit and not yet stored or failed. */
  #held = 0;

  constructor(options: GateOptions) {
    this.#options = options;
    const now = () => options.clock().getTime();
    this.#bucket = options.rateLimit ? new TokenBucket(options.rateLimit, now) : undefined;
  }

  /**
   * Sets the X-RateLimit-* headers on `res` (when a rate limit is set), or throws the refusal of the
   * limit that says no, named for the journal (`limit:rate-limit`, `limit:initial-access-token`,
   * `limit:max-clients`). Under a tenant limit, an admitted registration holds a place from now on,
   * so that those in flight (held by a delay or latency) count as well as those stored: the caller
   * releases it once the registration is stored or has failed.
   */
  admit(req: IncomingMessage, res: ServerResponse): Release {
    const { initialAccessTokens, maxClients } = this.#options;
    if (this.#bucket) {
      const state = this.#bucket.take();
      const resetSeconds = Math.ceil(state.resetAt / 1000);
      if (!state.allowed) {
        const retryAfter = Math.max(1, Math.ceil(state.retryAfterMs / 1000));
        const headers = rateLimitHeaders(state.limit, 0, resetSeconds, retryAfter);
        throw new RateLimited('Global limit has been reached', headers, 'limit:rate-limit');
      }
      for (const [name, value] of Object.entries(rateLimitHeaders(state.limit, state.remaining, resetSeconds))) {
        res.setHeader(name, value);
      }
    }
    if (initialAccessTokens.length > 0 && !oneOfTokens(bearerToken(req), initialAccessTokens)) {
      throw new InvalidToken(
        bearerToken(req) === undefined
          ? 'registration requires an initial access token: Authorization: Bearer <token>'
          : 'the initial access token is not valid',
        'limit:initial-access-token',
      );
    }
    if (maxClients === undefined) return NOTHING_HELD;
    if (this.#options.clientCount() + this.#held >= maxClients) throw new TooManyEntities('limit:max-clients');
    this.#held++;
    let held = true;
    return () => {
      if (held) this.#held--;
      held = false;
    };
  }

  /** A server reset refills the bucket. */
  reset(): void {
    this.#bucket?.refill();
  }
}
