/** A clock a test moves by hand: `advance(s)` moves it on, as POST /__dcr/clock does. */
export function testClock(iso = '2026-01-01T00:00:00Z'): { clock: () => Date; advance: (seconds: number) => void } {
  let now = Date.parse(iso);
  return { clock: () => new Date(now), advance: (seconds) => void (now += seconds * 1000) };
}
