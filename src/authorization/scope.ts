/** A scope parameter (RFC 6749 §3.3) as a list: split on spaces, each value once, in the order first given. */
export function parseScope(scope: string | readonly string[] | undefined): string[] {
  const values = typeof scope === 'string' ? scope.split(' ') : (scope ?? []);
  return [...new Set(values.filter((value) => value !== ''))];
}

export const formatScope = (scope: readonly string[]): string => scope.join(' ');

/** The values of `requested` that `granted` lacks. */
export const scopeBeyond = (requested: readonly string[], granted: readonly string[]): string[] => {
  const allowed = new Set(granted);
  return requested.filter((value) => !allowed.has(value));
};
