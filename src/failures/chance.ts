import type { Randomizer } from '@faker-js/faker';
import { seedWords, sfc32Randomizer } from '../random.js';

/**
 * The seeded source of every random choice a failure rule makes (rate draws, delay ranges):
 * the same sequence of requests meets the same failures in every run with the same seed.
 */
export class Chance {
  readonly #words: [number, number, number, number];
  readonly #random: Randomizer;

  constructor(seed: string) {
    this.#words = seedWords(`dcr-mock:failures:${seed}`);
    this.#random = sfc32Randomizer(this.#words);
  }

  /** A number in [0, 1). */
  next(): number {
    return this.#random.next();
  }

  /** A whole number in [min, max]. */
  between(min: number, max: number): number {
    return min === max ? min : min + Math.floor(this.next() * (max - min + 1));
  }

  /** Back to the first draw, as after a start. */
  rewind(): void {
    this.#random.seed([...this.#words]);
  }
}
