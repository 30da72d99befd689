import type { Answer } from '../http/answer.js';

/**
 * Every failure dcr-mock can inject, as data: modes every endpoint takes (5xx, 429, network faults,
 * delay, a spoiled success) and each endpoint's own. `http` modes answer with a status, headers and
 * body; `bad-success` modes spoil the success answer that a careful client must then reject;
 * `network` modes act on the socket; `delay` holds the answer back and stacks on any other mode.
 */
export type FailureKind = 'http' | 'bad-success' | 'network' | 'delay';

export interface HttpFailureOptions {
  /** Seconds, for Retry-After (rate_limited, service_unavailable). */
  readonly retryAfter?: number | undefined;
  /** Now, in ms since the epoch (X-RateLimit-Reset). */
  readonly now: number;
  /** Overrides the mode's status. */
  readonly status?: number | undefined;
  /** What the endpoint tells a mode that answers from the request (/authorize: where to redirect). */
  readonly context?: unknown;
}

export interface ModeSpec {
  readonly group: string;
  readonly kind: FailureKind;
  /** What the client receives, for --help, the docs and the inspector. */
  readonly summary: string;
  /** `http` modes: the answer. */
  readonly answer?: (options: HttpFailureOptions) => Answer;
  /** `bad-success` modes: the success answer, spoiled. */
  readonly spoil?: (success: Answer) => Answer;
  /**
   * `bad-success` modes the endpoint must make itself (a token signed by another key, already expired):
   * the name of the variant of its success answer, which the endpoint's preview gives.
   */
  readonly variant?: string;
}

/** What a rule may say about one endpoint: its modes, and the request facts its `match` may test. */
export interface EndpointSpec {
  readonly modes: Readonly<Record<string, ModeSpec>>;
  /** Match keys beside `header`, which every endpoint has. */
  readonly matchKeys: readonly string[];
}
