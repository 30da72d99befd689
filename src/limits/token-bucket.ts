import type { RateLimit } from './options.js';

/** What a request learns from the bucket: the X-RateLimit-* values and, when refused, how long to wait. */
export interface BucketAnswer {
  readonly allowed: boolean;
  readonly limit: number;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** When the bucket is full again, in ms since the epoch. */
  readonly resetAt: number;
  /** When refused: ms until one token is back. 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * A token bucket: holds at most `burst` tokens, gains `rate` a second, and each request takes one.
 * Time comes from the injected clock only, so a fixed clock makes every answer reproducible
 * (and a bucket under a fixed clock never refills).
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(limit: RateLimit, now: () => number) {
    this.rate = limit.rate;
    this.burst = limit.burst;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#at = now();
  }

  take(): BucketAnswer {
    const now = this.#refill();
    const allowed = this.#tokens >= 1;
    if (allowed) this.#tokens -= 1;
    return {
      allowed,
      limit: this.burst,
      remaining: Math.floor(this.#tokens),
      resetAt: now + Math.ceil(((this.burst - this.#tokens) / this.rate) * 1000),
      retryAfterMs: allowed ? 0 : Math.ceil(((1 - this.#tokens) / this.rate) * 1000),
    };
  }

  /** Back to a full bucket (a reset of the server). */
  refill(): void {
    this.#tokens = this.burst;
    this.#at = this.#now();
  }

  #refill(): number {
    const now = this.#now();
    // A clock that goes back (a test's, or a fixed one) adds nothing rather than taking tokens away.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.rate) / 1000);
    this.#at = Math.max(this.#at, now);
    return now;
  }
}
