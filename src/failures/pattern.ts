/** A match condition as written (`abc` = substring, `/a.c/i` = regular expression), ready to test. */
export interface Pattern {
  readonly source: string;
  test(value: string): boolean;
  /**
   * At most how many steps `test` takes on a value of this length: for a regular expression, the
   * ways it has to match (counted as below, with the length rounded up to a power of two); for a
   * substring, the length. What a request's matching may cost in total is bounded by these.
   */
  steps(length: number): number;
}

export const MAX_PATTERN_LENGTH = 200;
/** Values longer than this are cut before matching: names and URIs, not documents. */
export const MAX_SUBJECT_LENGTH = 2048;

/**
 * The most ways a regular expression may have to try one (cut) value, counted as below. V8 runs
 * ~10^8 simple backtracking steps a second, so this keeps the worst value to milliseconds.
 */
const MAX_PATHS = 1e7;
/**
 * The same count with every unbounded repeat taken as two choices: what is left is the blow-up that
 * does not need a long value (`(a|a)(a|a)…`, `a?a?a?…aaa…`), whose paths are also the longest.
 */
const MAX_FIXED_PATHS = 1 << 14;

/**
 * Compiles a pattern or explains why not. JavaScript's regular expressions backtrack, so a pattern
 * with too many ways to match one value (`(a+)+`, `(a|aa)*`, `a*a*a*b`) could hang the server on
 * a short input; such patterns, and back-references, are refused when the rule is set.
 */
export function compilePattern(source: string): Pattern | string {
  if (source.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  const literal = /^\/(.+)\/([imsu]*)$/s.exec(source);
  if (!literal) {
    return {
      source,
      test: (value) => value.slice(0, MAX_SUBJECT_LENGTH).includes(source),
      steps: (length) => Math.min(length, MAX_SUBJECT_LENGTH),
    };
  }
  const [, body = '', flags = ''] = literal;
  let regex: RegExp;
  try {
    regex = new RegExp(body, flags);
  } catch (err) {
    return `${source} is not a valid regular expression (${(err as Error).message})`;
  }
  const unsafe = backtrackingRisk(body, flags);
  if (unsafe) return `${source} could backtrack without end (${unsafe}); rewrite it without that`;
  return { source, test: (value) => regex.test(value.slice(0, MAX_SUBJECT_LENGTH)), steps: stepsOf(body, flags) };
}

/**
 * The ways a (safe) regular expression has to match a value of a given length, as backtrackingRisk
 * counts them. The count only grows with the length, so it is taken at the next power of two (at most
 * 12 counts per pattern, each made once): an upper bound, at most a few times too high.
 */
function stepsOf(body: string, flags: string): (length: number) => number {
  const anchored = isAnchored(body, flags);
  const unicode = flags.includes('u');
  const counted = new Map<number, number>();
  return (length) => {
    let n = 1;
    while (n < Math.min(length, MAX_SUBJECT_LENGTH)) n *= 2;
    n = Math.min(n, MAX_SUBJECT_LENGTH);
    let ways = counted.get(n);
    if (ways === undefined) {
      const paths = countPaths(body, unicode, n);
      ways = anchored ? paths + n : paths * (n + 1);
      counted.set(n, ways);
    }
    return ways;
  };
}

function isAnchored(body: string, flags: string): boolean {
  return !flags.includes('m') && body.startsWith('^') && !hasTopLevelAlternation(body);
}

/**
 * Names what can make a backtracking engine take too long on this (valid) regular expression, or
 * returns undefined. Sound rather than exact: it refuses some patterns that would run fast.
 *
 * The count: an atom has one way to match; a sequence multiplies its parts' ways, an alternation
 * adds its branches'; `x?` adds one, `x{m,n}` with one-way `x` has n-m+1 ways (an unbounded repeat
 * as many as the value's length allows), and a repeat of something with several ways is refused
 * outright, since those multiply per repetition. Unless anchored with `^`, every start position of
 * the value is tried, which multiplies once more. Lookarounds count as groups.
 */
export function backtrackingRisk(body: string, flags = ''): string | undefined {
  try {
    const anchored = isAnchored(body, flags);
    const paths = countPaths(body, flags.includes('u'), MAX_SUBJECT_LENGTH);
    const total = anchored ? paths + MAX_SUBJECT_LENGTH : paths * (MAX_SUBJECT_LENGTH + 1);
    if (countPaths(body, flags.includes('u'), 1) > MAX_FIXED_PATHS || total > MAX_PATHS) {
      return `too many ways to match one value; use fewer repeats, optional parts or alternatives${anchored ? '' : ', or anchor it with ^'}`;
    }
    return undefined;
  } catch (err) {
    if (err instanceof Refusal) return err.message;
    throw err;
  }
}

class Refusal extends Error {}

interface Quantifier {
  readonly length: number;
  readonly min: number;
  readonly max: number;
}

/** How many ways the pattern has to match at one start position, if an unbounded repeat can take `n` characters. */
function countPaths(body: string, unicode: boolean, n: number): number {
  let i = 0;

  const alternation = (): number => {
    let ways = sequence();
    while (body[i] === '|') {
      i++;
      ways += sequence();
    }
    return ways;
  };

  const sequence = (): number => {
    let ways = 1;
    while (i < body.length && body[i] !== '|' && body[i] !== ')') ways *= repeated(atom());
    return ways;
  };

  const atom = (): number => {
    const ch = body[i++];
    if (ch === '(') {
      const prefix = /^\?(?::|=|!|<=|<!|<[^>]*>)/.exec(body.slice(i));
      if (body[i] === '?' && !prefix) throw new Refusal('a group of an unknown kind');
      i += prefix?.[0].length ?? 0;
      const ways = alternation();
      i++; // ')': the RegExp compiled, so the group is closed
      return ways;
    }
    if (ch === '[') {
      while (i < body.length && body[i] !== ']') i += body[i] === '\\' ? 2 : 1;
      i++;
      return 1;
    }
    if (ch === '\\') skipEscape();
    return 1;
  };

  const skipEscape = (): void => {
    const next = body[i] ?? '';
    if (/[1-9]/.test(next) || body.startsWith('k<', i)) throw new Refusal('a back-reference');
    const braced = unicode && /[pPu]/.test(next) && body[i + 1] === '{';
    i = braced ? body.indexOf('}', i) + 1 : i + 1;
  };

  const repeated = (ways: number): number => {
    const q = quantifierAt(body, i);
    if (!q) return ways;
    i += q.length;
    if (body[i] === '?') i++; // lazy: the same ways, tried in another order
    if (q.max <= 1) return q.min === q.max ? ways : ways + 1;
    if (ways > 1) throw new Refusal('a repeated group that itself repeats or alternates');
    return Math.max(1, (q.max === Infinity ? n : Math.min(q.max, MAX_SUBJECT_LENGTH)) - q.min + 1);
  };

  return alternation();
}

function quantifierAt(body: string, i: number): Quantifier | undefined {
  const ch = body[i];
  if (ch === '*') return { length: 1, min: 0, max: Infinity };
  if (ch === '+') return { length: 1, min: 1, max: Infinity };
  if (ch === '?') return { length: 1, min: 0, max: 1 };
  if (ch !== '{') return undefined;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(i));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  return { length: m[0].length, min, max };
}

function hasTopLevelAlternation(body: string): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') i++;
    else if (ch === '[') {
      for (i++; i < body.length && body[i] !== ']'; i++) if (body[i] === '\\') i++;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) return true;
  }
  return false;
}
