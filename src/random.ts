import { createHash } from 'node:crypto';
import type { Randomizer } from '@faker-js/faker';

/**
 * sfc32, a small fast generator whose whole state is four 32-bit words: cheap to re-seed, and
 * credentials re-seed on every registration (bench/NOTES.md). Plain 32-bit integer arithmetic:
 * same numbers on any machine.
 */
export function sfc32Randomizer(words: readonly number[] = [0, 0, 0, 1]): Randomizer {
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
  const seed = (value: number | number[]): void => {
    const w = Array.isArray(value) ? value : [value];
    a = (w[0] ?? 0) | 0;
    b = (w[1] ?? 0) | 0;
    c = (w[2] ?? 0) | 0;
    d = (w[3] ?? 1) | 0;
    for (let i = 0; i < 15; i++) next();
  };
  seed([...words]);
  return { next, seed };
}

/** Four 32-bit words from a string: the user's seed, or a key derived from it. */
export function seedWords(text: string): [number, number, number, number] {
  const digest = createHash('sha256').update(text).digest();
  return [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
}
