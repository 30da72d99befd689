/** A JSON object: not null, not an array. What a client's metadata, a fixture or db.json's top level must be. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
