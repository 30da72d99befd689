/** How far a misspelling may be from what was meant: two edits (`prot` → `port`, `tims` → `times`). */
const MAX_DISTANCE = 2;

/**
 * The candidate `word` was most likely meant to be, for a "did you mean" hint: the nearest within two
 * edits (a swap of two neighbours counts as one), compared without case, dashes or underscores, so that
 * `max_clients` finds `maxClients`. None when the nearest is farther, or as far as the word is long (`x`
 * is not a misspelt `q`). The first candidate wins a tie.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const typed = normal(word);
  let best: string | undefined;
  let bestDistance = MAX_DISTANCE + 1;
  for (const candidate of candidates) {
    const distance = editDistance(typed, normal(candidate));
    if (distance < bestDistance && distance < typed.length) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

const normal = (word: string) => word.toLowerCase().replace(/[-_]/g, '');

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_DISTANCE) return MAX_DISTANCE + 1;
  // rows[i][j]: the distance between the first i characters of a and the first j of b.
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** ` (did you mean X?)` to put after a refused word, or nothing when no candidate is near or it was exact. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const meant = candidates.includes(word) ? undefined : suggest(word, candidates);
  return meant === undefined ? '' : ` (did you mean ${meant}?)`;
}
