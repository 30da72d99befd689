/**
 * `MS` or `MIN-MAX` (digits, spaces allowed around them), as a number or a string: `[min, max]`, equal
 * for a fixed value, or undefined when `v` is neither or the range is empty or above `limit`. The caller
 * names the option in its own message.
 */
export function parseMsRange(v: unknown, limit: number): [number, number] | undefined {
  const text = typeof v === 'number' ? String(v) : v;
  const m = typeof text === 'string' ? /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text) : null;
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  return min <= max && max <= limit ? [min, max] : undefined;
}
