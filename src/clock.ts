/** The most a clock may be moved forward at once: ten years, past any token's lifetime. */
export const MAX_ADVANCE_SECONDS = 10 * 365 * 86_400;

/**
 * The server's clock: real time, or the fixed time of `--clock`, moved forward on demand so that a
 * test expires codes and tokens without waiting. Every timestamp dcr-mock writes reads it.
 */
export class ServerClock {
  readonly #fixed: number | undefined;
  #offsetMs = 0;

  constructor(fixed?: Date) {
    this.#fixed = fixed?.getTime();
  }

  readonly now = (): Date => new Date((this.#fixed ?? Date.now()) + this.#offsetMs);

  /** How far it has been moved, in seconds. */
  get offsetSeconds(): number {
    return this.#offsetMs / 1000;
  }

  /** Moves the clock forward; time never runs backwards. */
  advance(seconds: number): Date {
    if (!(Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_ADVANCE_SECONDS)) {
      throw new RangeError(
        `advance must be a number of seconds from 0 to ${MAX_ADVANCE_SECONDS}, got ${String(seconds)}`,
      );
    }
    this.#offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  /** Back to where it started (a server reset). */
  reset(): void {
    this.#offsetMs = 0;
  }
}
