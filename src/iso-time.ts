const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00.000Z: past it, toISOString writes six-digit years. */
const YEAR_10000_MS = 253_402_300_800_000;

let cachedDay = Number.NaN;
let cachedDate = '';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * Date#toISOString, byte for byte, at a fraction of its cost (it is on every request's path: a
 * record's time, a client's created_at). The date part is formatted once a day; the time of day is
 * plain arithmetic. Years outside 0000-9999 and invalid dates go to toISOString itself.
 */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return date.toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = date.toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  // join, not a template: a template leaves a tree of partial strings (~250 bytes), and this one is
  // kept with every stored client.
  return [cachedDate, pad2(hours), ':', pad2(minutes), ':', pad2(seconds), '.', pad3(millis), 'Z'].join('');
}
