import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

/** Cases per property: a few dozen in `npm test`, thousands under `npm run fuzz` (DCR_FUZZ_RUNS). */
export function runs(inTestSuite: number): number {
  const n = Number(process.env['DCR_FUZZ_RUNS']);
  return Number.isSafeInteger(n) && n > 0 ? n : inTestSuite;
}

/** True under `npm run fuzz`: the place for figures and thresholds that `npm test` must not have. */
export const longRun = process.env['DCR_FUZZ_RUNS'] !== undefined;

/** Vitest timeout for a property of `n` cases at up to `msPerCase` each. */
export const timeoutFor = (n: number, msPerCase = 40) => 30_000 + n * msPerCase;

/**
 * The seed: DCR_FUZZ_SEED when given; else a fixed one in `npm test`, so that a run of the suite is the same
 * on every machine and a change fails for what it does, not for the draw; else (`npm run fuzz`) a new one.
 */
const SUITE_SEED = 7591;
const seed =
  process.env['DCR_FUZZ_SEED'] !== undefined ? Number(process.env['DCR_FUZZ_SEED']) : longRun ? undefined : SUITE_SEED;

/** Checks a property like fc.assert, and tells `npm run fuzz` how many cases ran. */
export async function check<T>(
  name: string,
  property: fc.IAsyncProperty<T> | fc.IProperty<T>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<T>, {
    numRuns,
    ...(seed === undefined ? {} : { seed }),
  });
  const report = process.env['DCR_FUZZ_REPORT'];
  if (report) appendFileSync(report, `${JSON.stringify({ name, runs: details.numRuns, failed: details.failed })}\n`);
  if (details.failed) {
    const example = ((details.counterexample ?? []) as unknown[]).map((v) => {
      const text = typeof v === 'string' ? JSON.stringify(v) : fc.stringify(v);
      return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text;
    });
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${name}: failed after ${details.numRuns} cases (seed ${details.seed}, path "${details.counterexamplePath}").\n` +
        `Counterexample: [${example.join(', ')}]\nError: ${cause.slice(0, 2000)}\n` +
        `Replay: DCR_FUZZ_SEED=${details.seed} (and the same DCR_FUZZ_RUNS)`,
    );
  }
}

/** What a prototype looks like now, to compare after a case. */
export function prototypeState(): string {
  const probe = {} as Record<string, unknown>;
  return JSON.stringify([
    Object.getOwnPropertyNames(Object.prototype),
    Object.getOwnPropertyNames(Array.prototype),
    Object.getOwnPropertyNames(Function.prototype),
    Object.getOwnPropertyNames(String.prototype),
    typeof probe['polluted'],
    typeof probe['isAdmin'],
    Object.getPrototypeOf(probe) === Object.prototype,
  ]);
}
