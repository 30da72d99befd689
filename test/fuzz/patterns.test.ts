import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/failures/pattern.js';
import { pattern, regexBody } from './arbitraries.js';
import { check, longRun, runs, timeoutFor } from './harness.js';

const RUNS = runs(100);
/** Under `npm run fuzz` only: the slowest an accepted pattern may be on one value. */
const MAX_MATCH_MS = 1000;

/** Values that make backtracking engines work hardest on patterns over a, b, word and digit characters. */
function hostileValues(source: string): string[] {
  const letters = [...new Set(source.replace(/[^a-z0-9-]/gi, ''))].join('') || 'a';
  return [
    'a'.repeat(2048),
    `${'a'.repeat(2047)}!`,
    `${'ab'.repeat(1024)}!`,
    `${'a'.repeat(40)}!`,
    `${letters.repeat(Math.ceil(2047 / letters.length)).slice(0, 2047)}!`,
    `${'ci-1'.repeat(512)}`,
  ];
}

describe('fuzzing match patterns', () => {
  it('a pattern is refused with a reason, or accepted and quick on hostile values', {
    timeout: timeoutFor(RUNS, 200),
  }, async () => {
    let slowest = { ms: 0, source: '' };
    let accepted = 0;
    await check(
      'patterns: refused or quick',
      fc.property(fc.oneof({ arbitrary: regexBody.map((r) => `/${r}/`), weight: 4 }, pattern), (source) => {
        const compiled = compilePattern(source);
        if (typeof compiled === 'string') {
          expect(compiled.length).toBeGreaterThan(0);
          return;
        }
        accepted++;
        for (const value of hostileValues(source)) {
          // A new RegExp each time, as a rule from a request header gets: its first run is the slow, interpreted one.
          const fresh = compilePattern(source) as Exclude<typeof compiled, string>;
          const started = performance.now();
          fresh.test(value);
          const ms = performance.now() - started;
          if (ms > slowest.ms) slowest = { ms, source };
          if (longRun)
            expect(ms, `${source} took ${ms.toFixed(0)} ms on a ${value.length}-character value`).toBeLessThan(
              MAX_MATCH_MS,
            );
        }
      }),
      RUNS,
    );
    if (longRun)
      console.log(
        `[fuzz] ${accepted} patterns accepted; the slowest on a hostile value: ${slowest.source} ${slowest.ms.toFixed(1)} ms`,
      );
  });
});
