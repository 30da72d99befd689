import { isObject } from '../is-object.js';

/**
 * A refresh-token family as db.json keeps it: plain JSON, one record per authorization. Every token
 * of the family is known from (seed, n, generation), so the record stays the same size however many
 * times it rotates. Times are seconds since the epoch, by the injected clock.
 */
export type RefreshFamilyRecord = {
  id: string;
  /** The family's place in the sequence of families: 1 for the first since the store was emptied. */
  n: number;
  client_id: string;
  sub: string;
  /** The scope granted by the authorization; a refresh may ask for less, never more. */
  scope: string[];
  audience: string | null;
  rotation: boolean;
  created_at: number;
  /** The newest token's generation (1 for the token the code exchange gave). */
  generation: number;
  /** When the newest token was issued, or (without rotation) last used: the idle lifetime counts from it. */
  issued_at: number;
  /** The token exchanged last, which may be exchanged again within the reuse leeway. */
  previous: { generation: number; exchanged_at: number } | null;
  revoked_at: number | null;
  revoked_reason: 'reuse' | 'revoked' | null;
};

/** What the caller's store is told, to journal it before the answer is sent. */
export interface RefreshTokenChange {
  readonly collection: 'refresh_tokens';
  readonly op: 'insert' | 'update';
  readonly record: RefreshFamilyRecord;
}

export type PersistHook = (change: RefreshTokenChange) => void | Promise<void>;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isCount = (v: unknown): v is number => isTime(v) && v >= 1;

/**
 * Checks records read back from db.json. Returns the reason the first bad one is unusable
 * (`refresh_tokens[2].generation must …`), or the records.
 */
export function toRefreshFamilies(parsed: unknown): RefreshFamilyRecord[] | string {
  if (!Array.isArray(parsed)) return '"refresh_tokens" must be an array';
  const rules: ReadonlyArray<readonly [string, (v: unknown) => boolean, string]> = [
    ['id', (v) => typeof v === 'string', 'be a string'],
    ['n', (v) => isCount(v) && v < 2 ** 40, 'be a whole number from 1'],
    ['client_id', (v) => typeof v === 'string', 'be a string'],
    ['sub', (v) => typeof v === 'string', 'be a string'],
    ['scope', (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'be an array of strings'],
    ['audience', (v) => v === null || typeof v === 'string', 'be a string or null'],
    ['rotation', (v) => typeof v === 'boolean', 'be true or false'],
    ['created_at', isTime, 'be a time in seconds'],
    ['generation', (v) => isCount(v) && v < 2 ** 32, 'be a whole number from 1'],
    ['issued_at', isTime, 'be a time in seconds'],
    [
      'previous',
      (v) => v === null || (isObject(v) && isCount(v['generation']) && isTime(v['exchanged_at'])),
      'be null or {"generation", "exchanged_at"}',
    ],
    ['revoked_at', (v) => v === null || isTime(v), 'be null or a time in seconds'],
    ['revoked_reason', (v) => v === null || v === 'reuse' || v === 'revoked', 'be null, "reuse" or "revoked"'],
  ];
  const seen = new Set<number>();
  for (const [i, record] of parsed.entries()) {
    if (!isObject(record)) return `refresh_tokens[${i}] must be an object`;
    for (const [field, valid, must] of rules) {
      if (!valid(record[field])) return `refresh_tokens[${i}].${field} must ${must}`;
    }
    if (seen.has(record['n'] as number)) return `refresh_tokens[${i}].n must be unique`;
    seen.add(record['n'] as number);
  }
  return parsed as RefreshFamilyRecord[];
}
