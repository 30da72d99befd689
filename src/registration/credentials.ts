import { createHash } from 'node:crypto';
import { Faker, type Randomizer, base } from '@faker-js/faker';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_CHARS = `${ID_CHARS}_-`;

export interface Credentials {
  client_id: string;
  client_secret: string;
}

/**
 * sfc32, a small fast generator whose whole state is four 32-bit words. Faker's default
 * Mersenne Twister costs ~30 µs to re-seed; this costs well under 1 µs, and re-seeding
 * happens on every registration. Plain 32-bit integer arithmetic: same numbers on any machine.
 */
export function sfc32Randomizer(): Randomizer {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  return {
    next,
    seed(seed: number | number[]): void {
      const words = Array.isArray(seed) ? seed : [seed];
      [a, b, c, d] = [words[0] ?? 0, words[1] ?? 0, words[2] ?? 0, words[3] ?? 1].map((w) => w | 0) as [
        number,
        number,
        number,
        number,
      ];
      for (let i = 0; i < 15; i++) next();
    },
  };
}

/** Four 32-bit words from a string: the user's seed, or a key derived from it. */
export function seedWords(text: string): [number, number, number, number] {
  const digest = createHash('sha256').update(text).digest();
  return [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
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

  constructor(seed: string) {
    this.#faker = new Faker({ locale: base, randomizer: sfc32Randomizer() });
    this.#words = seedWords(`dcr-mock:${seed}`);
  }

  /** The credentials of the n-th registration (n >= 1), or of any other 53-bit key. */
  issue(n: number, idPrefix: string): Credentials {
    const [w0, w1, w2, w3] = this.#words;
    this.#faker.seed([w0 ^ mix(n, 0x5bd1e995), w1, w2 ^ mix(n, 0x27d4eb2f), w3]);
    return {
      client_id: idPrefix + this.#draw(ID_CHARS, 32),
      client_secret: this.#draw(SECRET_CHARS, 64),
    };
  }

  #draw(chars: string, length: number): string {
    const max = chars.length - 1;
    let out = '';
    for (let i = 0; i < length; i++) out += chars[this.#faker.number.int(max)];
    return out;
  }
}
