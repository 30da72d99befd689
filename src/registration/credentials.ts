import type { Faker, FakerOptions } from '@faker-js/faker';
// The base locale alone: the package's main entry loads every locale, ~200 ms of start-up for nothing.
import { faker as baseFaker } from '@faker-js/faker/locale/base';
import { seedWords, sfc32Randomizer } from '../random.js';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_CHARS = `${ID_CHARS}_-`;
/**
 * Characters made from one draw. A draw is one 32-bit output of the generator scaled to the range: each
 * of the 62^4 values gets 290 or 291 of the 2^32 outputs (each of the 64^4, exactly 256), so every block
 * of four characters is within 0.4% of uniform, and a credential takes a quarter of the draws.
 */
const CHARS_PER_DRAW = 4;

export interface Credentials {
  client_id: string;
  client_secret: string;
}

/** A 32-bit mix of n (splitmix-style), so neighbouring ns start far apart. */
function mix(n: number, salt: number): number {
  let x = (Math.imul(n ^ salt, 0x9e3779b1) + (Math.floor(n / 4294967296) | 0)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/**
 * Deterministic fake credentials: the values for index n depend only on (seed, n). A private
 * Faker, never the global one, is re-seeded from (seed, n) for each call.
 */
export class CredentialFactory {
  readonly #faker: Faker;
  readonly #words: [number, number, number, number];
  readonly #seed: string;
  /** Where a string's characters are written before it is made, reused by every draw. */
  #bytes = Buffer.alloc(128);

  constructor(seed: string) {
    this.#seed = seed;
    const FakerClass = baseFaker.constructor as new (options: FakerOptions) => Faker;
    this.#faker = new FakerClass({ locale: baseFaker.rawDefinitions, randomizer: sfc32Randomizer() });
    this.#words = seedWords(`dcr-mock:${seed}`);
  }

  /** The credentials of the n-th registration (n >= 1), or of any other 53-bit key. */
  issue(n: number, idPrefix: string): Credentials {
    const [w0, w1, w2, w3] = this.#words;
    this.#faker.seed([w0 ^ mix(n, 0x5bd1e995), w1, w2 ^ mix(n, 0x27d4eb2f), w3]);
    return {
      client_id: this.#draw(ID_CHARS, 32, idPrefix),
      client_secret: this.#draw(SECRET_CHARS, 64),
    };
  }

  /**
   * A token that depends only on (seed, label): registration access tokens are drawn from
   * `rat:<client_id>` and their rotations from the token they replace. Rare, so hashing is fine.
   */
  token(label: string, length = 48): string {
    this.#faker.seed(seedWords(`dcr-mock:${this.#seed}:${label}`));
    return this.#draw(SECRET_CHARS, length);
  }

  /**
   * `prefix` then `length` characters drawn from `chars`, CHARS_PER_DRAW of them from each of Faker's
   * draws: the digits, in base `chars.length`, of one integer below `chars.length ** CHARS_PER_DRAW`.
   */
  #draw(chars: string, length: number, prefix = ''): string {
    const size = prefix.length + length;
    if (this.#bytes.length < size) this.#bytes = Buffer.alloc(size);
    const bytes = this.#bytes;
    const base = chars.length;
    // One options object for all the draws: given a bare number, Faker makes one per call (same draws either way).
    const range = { max: base ** CHARS_PER_DRAW - 1 };
    bytes.write(prefix, 'latin1');
    for (let i = prefix.length; i < size; ) {
      let drawn = this.#faker.number.int(range);
      for (let k = 0; k < CHARS_PER_DRAW && i < size; k++, i++) {
        bytes[i] = chars.charCodeAt(drawn % base);
        drawn = Math.floor(drawn / base);
      }
    }
    // One flat string from the bytes (prefix and alphabets are ASCII): `+` and `+=` would leave chains of
    // partial strings, and these are kept with every client.
    return bytes.toString('latin1', 0, size);
  }
}
