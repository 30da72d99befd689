import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/iso-time.js';
import { sfc32Randomizer } from '../../src/random.js';

describe('isoTime', () => {
  it.each([
    ['the epoch', 0],
    ['the last millisecond of a day', Date.UTC(2026, 10, 26) - 1],
    ['the first millisecond of a day', Date.UTC(2026, 10, 26)],
    ['a leap day', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['single digits everywhere', Date.UTC(2001, 0, 2, 3, 4, 5, 6)],
    ['the last instant of year 9999', Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    ['year 10000 (six-digit years)', Date.UTC(10000, 0, 1)],
    ['before the epoch', Date.UTC(1969, 11, 31, 12, 30, 0, 5)],
  ])('writes %s as toISOString does', (_, ms) => {
    const date = new Date(ms);
    expect(isoTime(date)).toBe(date.toISOString());
  });

  it('agrees with toISOString on 20,000 seeded instants, nearly each on a new day', () => {
    const random = sfc32Randomizer([7, 7, 7, 7]);
    for (let i = 0; i < 20_000; i++) {
      const date = new Date(Math.floor(random.next() * Date.UTC(2200, 0, 1)));
      expect(isoTime(date)).toBe(date.toISOString());
    }
  });

  it('throws on an invalid date, as toISOString does', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
