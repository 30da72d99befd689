/**
 * A value as an error message quotes it: strings and other JSON as JSON, a Date as ISO 8601. Never
 * throws: a value too deep to write out (a config file may nest arrays thousands deep) is named instead.
 */
export function show(v: unknown): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid Date' : v.toISOString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    try {
      return String(v);
    } catch {
      return 'a value nested too deeply to show';
    }
  }
}
