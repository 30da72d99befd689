import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Answer, httpFailure, rateLimitHeaders } from '../failures/catalogue.js';
import { InvalidToken, bearerToken, oneOfTokens } from '../http/bearer.js';
import type { RateLimit } from './options.js';
import { TokenBucket } from './token-bucket.js';

/** A refusal: the answer, and which limit gave it (for the log and the request journal). */
export interface Refusal extends Answer {
  readonly reason: 'rate-limit' | 'max-clients';
}

export interface GateOptions {
  readonly rateLimit: RateLimit | undefined;
  readonly initialAccessTokens: readonly string[];
  readonly maxClients: number | undefined;
  /** How many clients are stored now. */
  readonly clientCount: () => number;
  readonly clock: () => Date;
}

/**
 * What a registration must get past before anything else looks at it, in this order: Auth0's rate
 * limit (every request takes a token, as at a real gateway), the initial access token (RFC 7591 §3),
 * Auth0's tenant application limit. A refused request stores nothing and advances nothing.
 */
export class RegistrationGate {
  readonly #options: GateOptions;
  readonly #bucket: TokenBucket | undefined;

  constructor(options: GateOptions) {
    this.#options = options;
    const now = () => options.clock().getTime();
    this.#bucket = options.rateLimit ? new TokenBucket(options.rateLimit, now) : undefined;
  }

  /**
   * Sets the X-RateLimit-* headers on `res` (when a rate limit is set) and returns the answer of a
   * refusal, or undefined to let the request through. A missing or wrong initial access token throws an
   * InvalidToken.
   */
  admit(req: IncomingMessage, res: ServerResponse): Refusal | undefined {
    const { initialAccessTokens, maxClients, clock } = this.#options;
    if (this.#bucket) {
      const state = this.#bucket.take();
      const resetSeconds = Math.ceil(state.resetAt / 1000);
      if (!state.allowed) {
        const retryAfter = Math.max(1, Math.ceil(state.retryAfterMs / 1000));
        const answer = httpFailure('rate_limited', { retryAfter, now: clock().getTime(), injected: false });
        const headers = rateLimitHeaders(state.limit, 0, resetSeconds, retryAfter);
        return { ...answer, headers: { ...answer.headers, ...headers }, reason: 'rate-limit' };
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
      );
    }
    if (maxClients !== undefined && this.#options.clientCount() >= maxClients) {
      return { ...httpFailure('too_many_entities', { now: clock().getTime() }), reason: 'max-clients' };
    }
    return undefined;
  }

  /** A server reset refills the bucket. */
  reset(): void {
    this.#bucket?.refill();
  }
}
