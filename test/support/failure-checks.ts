import { expect, vi } from 'vitest';
import type { JournalEntry } from '../../src/control/journal.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from './server.js';
import { METADATA } from './wire.js';

/** The client_ids that a fresh in-memory server started with these options gives its first n registrations. */
export async function freshIds(n: number, options: Record<string, unknown> = {}): Promise<string[]> {
  const server = await start(options);
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await register(server, METADATA);
      expect(res.status).toBe(201);
      ids.push(res.json['client_id'] as string);
    }
    return ids;
  } finally {
    await server.close();
  }
}

/**
 * A failed registration stored nothing and did not advance the sequence: the store is empty and
 * the next successful registration gets what a fresh server gives its first.
 */
export async function expectNothingStored(server: RunningServer, firstId: string): Promise<void> {
  expect(server.store.clients).toHaveLength(0);
  expect(server.store.sequence).toBe(0);
  const next = await register(server, METADATA);
  expect(next.status).toBe(201);
  expect(next.json['client_id']).toBe(firstId);
}

/** The newest journal entry, once the journal holds `count` of them (entries are written when a response closes). */
export async function newestEntry(server: RunningServer, count = 1): Promise<JournalEntry> {
  await vi.waitFor(() => expect(server.journal.list().length).toBeGreaterThanOrEqual(count));
  return server.journal.list()[0]!;
}
