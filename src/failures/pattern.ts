/** A match condition as written (`abc` = substring, `/a.c/i` = regular expression), ready to test. */
export interface Pattern {
  readonly source: string;
  test(value: string): boolean;
}

export const MAX_PATTERN_LENGTH = 200;
/** Values longer than this are cut before matching (by the caller): names and URIs, not documents. */
export const MAX_SUBJECT_LENGTH = 2048;

/**
 * Compiles a pattern or explains why not. JavaScript's regular expressions backtrack, so a pattern
 * whose quantified group holds another quantifier or an alternation (`(a+)+`, `(a|aa)*`) could hang
 * the server on a short input; such patterns, and back-references, are refused when the rule is set.
 */
export function compilePattern(source: string): Pattern | string {
  if (source.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  const literal = /^\/(.+)\/([imsu]*)$/s.exec(source);
  if (!literal) return { source, test: (value) => value.includes(source) };
  const [, body = '', flags = ''] = literal;
  const unsafe = backtrackingRisk(body);
  if (unsafe) return `${source} could backtrack without end (${unsafe}); rewrite it without that`;
  let regex: RegExp;
  try {
    regex = new RegExp(body, flags);
  } catch (err) {
    return `${source} is not a valid regular expression (${(err as Error).message})`;
  }
  return { source, test: (value) => regex.test(value) };
}

/** Names the construct that can make a backtracking engine take exponential time, or returns undefined. */
export function backtrackingRisk(body: string): string | undefined {
  if (/\\[1-9]|\\k</.test(body)) return 'a back-reference';
  // For each group, whether it holds a quantifier or an alternation; then whether the group itself is quantified.
  const stack: Array<{ risky: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push({ risky: false });
    else if (ch === '|' && stack.length > 0) stack[stack.length - 1]!.risky = true;
    else if (isQuantifierAt(body, i) && stack.length > 0) stack[stack.length - 1]!.risky = true;
    else if (ch === ')') {
      const group = stack.pop();
      const quantified = isQuantifierAt(body, i + 1);
      if (group?.risky && quantified) return 'a repeated group that itself repeats or alternates';
      if (stack.length > 0 && (group?.risky || quantified)) stack[stack.length - 1]!.risky = true;
    }
  }
  return undefined;
}

function isQuantifierAt(body: string, i: number): boolean {
  const ch = body[i];
  if (ch === '*' || ch === '+') return true;
  if (ch === '{') return /^\{\d+(,\d*)?\}/.test(body.slice(i));
  return false;
}
