import { resolve } from 'node:path';
import { usageError } from './errors.js';
import { FailSpecError, type FailureRule, parseFailSpec, toFailureRule } from './failures/spec.js';
import { parseMsRange } from './ms-range.js';
import { show } from './show.js';
import { didYouMean } from './suggest.js';

/**
 * Checks and normalises one option's value, from a flag, a variable, a config file or code alike; `all`
 * holds every option merged, for a check that folds another key in. Throws a usage error (exit code 2).
 */
export type Check<T> = (value: unknown, all: Readonly<Record<string, unknown>>) => T;

export const oneOf =
  <T extends string>(flag: string, allowed: readonly T[]): Check<T> =>
  (v) => {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    const meant = typeof v === 'string' ? didYouMean(v, allowed) : '';
    throw usageError(`--${flag} must be one of ${allowed.join(', ')}, got ${show(v)}${meant}`);
  };

export const nonEmptyString =
  (flag: string): Check<string> =>
  (v) => {
    if (typeof v === 'string' && v.length > 0) return v;
    throw usageError(`--${flag} must be a non-empty string, got ${show(v)}`);
  };

export const bool =
  (flag: string): Check<boolean> =>
  (v) => {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0' || v === '') return false;
    throw usageError(`--${flag} must be true or false, got ${show(v)}`);
  };

/** `check` for a value that was given; undefined stays undefined. */
export const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, all) =>
    v === undefined ? undefined : check(v, all);

export const checkPort: Check<number> = (v) => {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw usageError(`--port must be an integer from 0 to 65535, got ${show(v)}`);
};

export const checkSeed: Check<string> = (v) => {
  if ((typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  throw usageError(`--seed must be a non-empty string or a number, got ${show(v)}`);
};

export const checkIssuer: Check<string> = (v) => {
  const url = typeof v === 'string' ? URL.parse(v) : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash) {
    return url.href.endsWith('/') ? url.href : `${url.href}/`;
  }
  throw usageError(`--issuer must be an absolute http(s) URL without query or fragment, got ${show(v)}`);
};

export const checkClock: Check<Date> = (v) => {
  const date = v instanceof Date ? v : typeof v === 'string' && v.length > 0 ? new Date(v) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date;
  throw usageError(`--clock must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z, got ${show(v)}`);
};

/**
 * `--fail` (the CLI's, in `all.fail`) first, then the `failures` option: rule objects or specs. A bad rule
 * of --fail says so, as --fail and the failures option may come from different places.
 */
export const checkFailures: Check<readonly FailureRule[]> = (v, all) => {
  const fromFlags = all['fail'] === undefined ? [] : [all['fail']].flat();
  if (!Array.isArray(v)) throw usageError(`failures must be an array of rules or specs, got ${show(v)}`);
  const rules = (where: string, parse: () => FailureRule[]) => {
    try {
      return parse();
    } catch (err) {
      if (err instanceof FailSpecError) throw usageError(`bad failure rule${where}: ${err.message}`);
      throw err;
    }
  };
  return [
    ...rules(' in --fail', () =>
      fromFlags.flatMap((spec) => {
        if (typeof spec !== 'string') throw new FailSpecError(`it must be a spec string, got ${show(spec)}`);
        return parseFailSpec(spec);
      }),
    ),
    ...rules('', () =>
      v.flatMap((item, i) =>
        typeof item === 'string' ? parseFailSpec(item) : [toFailureRule(item, `failures[${i}]`)],
      ),
    ),
  ];
};

const MAX_LATENCY_MS = 300_000;

export const checkLatency: Check<readonly [number, number]> = (v) => {
  const range = parseMsRange(v, MAX_LATENCY_MS);
  if (range) return range;
  throw usageError(`--latency must be milliseconds or MIN-MAX (at most ${MAX_LATENCY_MS}), got ${show(v)}`);
};

export const checkAdminToken: Check<string> = (v) => {
  if (typeof v === 'string' && /^[\x21-\x7e]+$/.test(v)) return v;
  throw usageError('--admin-token must be printable ASCII without spaces');
};

export const checkMaxClients: Check<number> = (v) => {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  throw usageError(`--max-clients must be a whole number (0 or more), got ${show(v)}`);
};

/** Whole seconds, 0 or more, from a flag's text or a number; `flag` names it in the error. */
export const seconds =
  (flag: string, max = 10 * 365 * 86_400): Check<number> =>
  (v) => {
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max) return n;
    throw usageError(`--${flag} must be whole seconds from 0 to ${max}, got ${show(v)}`);
  };

/** Resolved against the working directory at start, so that a stop removes the same file. */
export const checkUrlFile: Check<string> = (v) => resolve(nonEmptyString('url-file')(v, {}));
