import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientRecord, JournalEntry } from '../../src/store/shape.js';
import { Store } from '../../src/store/store.js';
import { idsInDbJson, storedClient as client } from '../support/records.js';
import { tempDir } from '../support/server.js';

const entry = (epoch: number, sequence: number, n = sequence): string =>
  `${JSON.stringify({ epoch, collection: 'clients', op: 'add', sequence, record: client(n) } satisfies JournalEntry)}\n`;
/** An entry as journals written before entries named their collection hold it: a user's journal must still open. */
const legacyEntry = (epoch: number, sequence: number, n = sequence): string =>
  `${JSON.stringify({ epoch, sequence, client: client(n) })}\n`;
const dbJson = (clients: ClientRecord[], sequence: number, epoch = 0) =>
  JSON.stringify({ clients, meta: { sequence, epoch } });
/** A line cut short by a kill in the middle of its write: never acknowledged. */
const cut = (line: string) => line.slice(0, Math.floor(line.length / 2));

interface CrashState {
  readonly name: string;
  readonly db?: string;
  readonly journal?: string;
  readonly rotated?: string;
  /** Client numbers the store must hold, in order, and its sequence and epoch. */
  readonly clients: number[];
  readonly sequence: number;
  readonly epoch?: number;
}

// Files as a kill can leave them at each step of append and checkpoint (rotate, write db.json, drop the rotated journal).
const STATES: CrashState[] = [
  { name: 'no file at all', clients: [], sequence: 0 },
  {
    name: 'a journal only (killed before the first checkpoint)',
    journal: entry(0, 1) + entry(0, 2),
    clients: [1, 2],
    sequence: 2,
  },
  {
    name: 'a journal of the older format only',
    db: dbJson([client(1)], 1),
    journal: legacyEntry(0, 1) + legacyEntry(0, 2) + cut(legacyEntry(0, 3)),
    clients: [1, 2],
    sequence: 2,
  },
  {
    name: 'a rotated journal of the older format, a current one of the new',
    db: dbJson([client(1)], 1),
    rotated: legacyEntry(0, 2),
    journal: entry(0, 3),
    clients: [1, 2, 3],
    sequence: 3,
  },
  {
    name: 'a journal whose last line was cut mid-write',
    db: dbJson([client(1)], 1),
    journal: entry(0, 2) + cut(entry(0, 3)),
    clients: [1, 2],
    sequence: 2,
  },
  {
    name: 'killed after rotating, before db.json was written',
    db: dbJson([client(1)], 1),
    rotated: entry(0, 2),
    journal: entry(0, 3),
    clients: [1, 2, 3],
    sequence: 3,
  },
  {
    name: 'killed after db.json was written, before the rotated journal was dropped',
    db: dbJson([1, 2].map(client), 2),
    rotated: entry(0, 2),
    journal: entry(0, 3),
    clients: [1, 2, 3],
    sequence: 3,
  },
  {
    name: 'a rotated journal cut mid-copy (a checkpoint after a failed one)',
    db: dbJson([client(1)], 1),
    rotated: entry(0, 2) + cut(entry(0, 3)),
    journal: entry(0, 3),
    clients: [1, 2, 3],
    sequence: 3,
  },
  {
    name: 'entries of an older epoch (before a reset that reached db.json)',
    db: dbJson([], 0, 1),
    rotated: entry(0, 1),
    journal: entry(1, 1, 7),
    clients: [7],
    sequence: 1,
    epoch: 1,
  },
  {
    name: 'entries of a newer epoch (registrations acknowledged after a reset that had not reached db.json)',
    db: dbJson([1, 2].map(client), 2, 0),
    rotated: entry(0, 3),
    journal: entry(1, 1, 8) + entry(1, 2, 9),
    clients: [8, 9],
    sequence: 2,
    epoch: 1,
  },
  {
    name: 'a client deleted before the checkpoint (sequence already past it)',
    db: dbJson([client(1)], 2),
    rotated: entry(0, 2),
    clients: [1],
    sequence: 2,
  },
];

function lay(dir: string, state: CrashState): string {
  const db = join(dir, 'db.json');
  if (state.db !== undefined) writeFileSync(db, state.db);
  if (state.journal !== undefined) writeFileSync(`${db}.journal`, state.journal);
  if (state.rotated !== undefined) writeFileSync(`${db}.journal.old`, state.rotated);
  return db;
}

const ids = (store: Store) => store.clients.map((c) => c.client_id);

describe('the store reopens whatever a kill left', () => {
  const root = tempDir();

  it.each(STATES)('$name', async (state) => {
    const dir = join(root, state.name.replace(/\W+/g, '-'));
    mkdirSync(dir);
    const db = lay(dir, state);
    const store = await Store.open(db);
    expect(ids(store)).toEqual(state.clients.map((n) => `tpc_${n}`));
    expect(store.sequence).toBe(state.sequence);
    expect(store.db.data.meta.epoch).toBe(state.epoch ?? 0);
    // The open folded everything into db.json: it alone gives the same store.
    expect(existsSync(`${db}.journal`) || existsSync(`${db}.journal.old`)).toBe(false);
    expect(idsInDbJson(db)).toEqual(ids(store));
    // And it goes on: a new registration after a reopen is there next time.
    store.add(client(100), store.sequence + 1);
    await store.close();
    const again = await Store.open(db);
    expect(ids(again)).toEqual([...state.clients.map((n) => `tpc_${n}`), 'tpc_100']);
    await again.close();
  });

  it('a start leaves a db.json that is the whole store as it is (50,000 clients would take as long again to rewrite)', async () => {
    const dir = join(root, 'untouched');
    mkdirSync(dir);
    const compact = dbJson([1, 2, 3].map(client), 3);
    const db = lay(dir, { name: '', db: compact, clients: [], sequence: 0 });
    const store = await Store.open(db);
    expect(ids(store)).toEqual(['tpc_1', 'tpc_2', 'tpc_3']);
    expect(readFileSync(db, 'utf8')).toBe(compact);
    store.add(client(4), 4);
    await store.close();
    expect(JSON.parse(readFileSync(db, 'utf8')).clients).toHaveLength(4);
  });

  it('a checkpoint that fails after rotating a cut journal leaves files the next start can read', async () => {
    const dir = join(root, 'failed-checkpoint');
    mkdirSync(dir);
    const db = lay(dir, {
      name: '',
      db: dbJson([client(1)], 1),
      rotated: entry(0, 2) + cut(entry(0, 3)),
      journal: entry(0, 3),
      clients: [],
      sequence: 0,
    });
    // db.json cannot be replaced while its temp file's name is taken by a folder.
    mkdirSync(join(dir, '.db.json.tmp'));
    await expect(Store.open(db)).rejects.toThrow();
    rmSync(join(dir, '.db.json.tmp'), { recursive: true });
    const store = await Store.open(db);
    expect(ids(store)).toEqual(['tpc_1', 'tpc_2', 'tpc_3']);
    await store.close();
  });
});
