import { describe, expect, it } from 'vitest';
import { parseRateLimit } from '../../src/limits/options.js';
import { TokenBucket } from '../../src/limits/token-bucket.js';

/** A clock the test moves by hand. */
function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), start };
}

const takeAll = (bucket: TokenBucket, n: number) => Array.from({ length: n }, () => bucket.take());

describe('TokenBucket', () => {
  it.each([
    { rate: 5, burst: 5 },
    { rate: 1, burst: 3 },
    { rate: 10, burst: 1 },
    { rate: 0.5, burst: 2 },
  ])('allows exactly burst=$burst at once, at $rate/s', ({ rate, burst }) => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate, burst }, clock.now);
    const answers = takeAll(bucket, burst + 2);
    expect(answers.map((a) => a.allowed)).toEqual([...Array(burst).fill(true), false, false]);
    expect(answers.slice(0, burst).map((a) => a.remaining)).toEqual(
      Array.from({ length: burst }, (_, i) => burst - 1 - i),
    );
    expect(answers.every((a) => a.limit === burst)).toBe(true);
  });

  it('recovers one token every 1/rate seconds, never above burst', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 5 }, clock.now);
    takeAll(bucket, 5);
    expect(bucket.take().allowed).toBe(false);
    clock.advance(199);
    expect(bucket.take().allowed).toBe(false);
    clock.advance(1);
    expect(bucket.take().allowed).toBe(true);
    expect(bucket.take().allowed).toBe(false);
    clock.advance(600);
    expect(takeAll(bucket, 4).map((a) => a.allowed)).toEqual([true, true, true, false]);
    clock.advance(60_000);
    expect(takeAll(bucket, 6).map((a) => a.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it('says when to retry and when the bucket is full again', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 2, burst: 4 }, clock.now);
    const first = bucket.take();
    expect(first).toMatchObject({ allowed: true, remaining: 3, retryAfterMs: 0, resetAt: clock.start + 500 });
    takeAll(bucket, 3);
    const refused = bucket.take();
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 500, resetAt: clock.start + 2000 });
    clock.advance(250);
    expect(bucket.take()).toMatchObject({ allowed: false, retryAfterMs: 250, resetAt: clock.start + 2000 });
  });

  it('a clock that stands still never refills; one that goes back takes nothing', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 100, burst: 2 }, clock.now);
    expect(takeAll(bucket, 3).map((a) => a.allowed)).toEqual([true, true, false]);
    clock.advance(-10_000);
    expect(bucket.take().allowed).toBe(false);
    clock.advance(10_010);
    expect(bucket.take().allowed).toBe(true);
  });

  it('refill() fills it at once', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 1, burst: 2 }, clock.now);
    takeAll(bucket, 3);
    bucket.refill();
    expect(takeAll(bucket, 3).map((a) => a.allowed)).toEqual([true, true, false]);
  });
});

describe('parseRateLimit', () => {
  it.each([
    ['auth0', { rate: 5, burst: 5 }],
    ['5', { rate: 5, burst: 5 }],
    [10, { rate: 10, burst: 10 }],
    ['2/10', { rate: 2, burst: 10 }],
    ['0.5', { rate: 0.5, burst: 1 }],
    [' 3/1 ', { rate: 3, burst: 1 }],
  ])('%j → %j', (input, expected) => {
    expect(parseRateLimit(input)).toEqual(expected);
  });

  it.each(['', '0', '5/0', 'fast', '-1', '5/s', '1/2/3', true])('%j is refused with one line', (input) => {
    expect(() => parseRateLimit(input)).toThrow(/^Failed to read the options: --rate-limit must be R\[\/BURST\].*\n?$/);
  });
});
