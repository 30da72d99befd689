import { createHash } from 'node:crypto';
import type { ClientRecord, Meta } from '../store/shape.js';
import type { ClientMetadata } from './metadata.js';

/** How credentials are derived: from the registration's place in the sequence, or from its content. */
export const ID_SCHEMES = ['sequence', 'content'] as const;
export type IdScheme = (typeof ID_SCHEMES)[number];

/** The field of a stored client that says which content it was registered with: "<hash>:<index>". */
export const CONTENT_KEY_FIELD = 'content_key';

/** The request's canonical metadata: validated known fields only (nulls dropped), keys sorted. */
export function canonicalMetadata(metadata: ClientMetadata): string {
  const fields = metadata as unknown as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(fields)
        .sort()
        .map((key) => [key, fields[key]]),
    ),
  );
}

export function contentHash(metadata: ClientMetadata): string {
  return createHash('sha256').update(canonicalMetadata(metadata)).digest('hex').slice(0, 24);
}

/** The 48-bit credential key of the index-th registration of this content (the seed is mixed in later). */
export function contentCredentialKey(hash: string, index: number): number {
  return createHash('sha256').update(`${hash}:${index}`).digest().readUIntBE(0, 6);
}

/**
 * Per-content counters for `--ids content`. They live in db.json's `meta.content`, written with every
 * checkpoint; each client also carries its content key, so clients replayed from the journal after a
 * kill are counted again at start. A deleted client does not lower its count: ids are never reissued.
 */
export class ContentCounters {
  constructor(readonly meta: () => Meta) {}

  /** How many clients were registered with this content before. */
  next(hash: string): number {
    return this.meta().content?.[hash] ?? 0;
  }

  count(hash: string, index: number): void {
    const meta = this.meta();
    meta.content ??= {};
    meta.content[hash] = Math.max(meta.content[hash] ?? 0, index + 1);
  }

  /** Folds the content keys of stored clients into the counters. */
  recount(clients: readonly ClientRecord[]): void {
    for (const client of clients) {
      const m = /^([0-9a-f]+):(\d+)$/.exec(String(client[CONTENT_KEY_FIELD] ?? ''));
      if (m) this.count(m[1]!, Number(m[2]));
    }
  }
}
