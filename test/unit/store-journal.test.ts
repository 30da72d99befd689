import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournaledJSONFile } from '../../src/store/journaled-file.js';
import type { JournalEntry, StoredRecord } from '../../src/store/shape.js';
import { Store } from '../../src/store/store.js';
import { storedClient as client } from '../support/records.js';

const root = mkdtempSync(join(tmpdir(), 'dcr-mock-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDb = () => join(root, `db-${++dirs}.json`);

const grant = (n: number): StoredRecord => ({ id: `grant_${n}`, client_id: 'tpc_1', scope: 'openid' });
const line = (entry: JournalEntry) => `${JSON.stringify(entry)}\n`;
const grantEntry = (sequence: number, n = sequence): string =>
  line({ epoch: 0, collection: 'grants', op: 'add', sequence, record: grant(n) });
const ids = (records: readonly StoredRecord[] | undefined) => (records ?? []).map((r) => r.id);

describe('a collection other than clients, journaled like them', () => {
  it('is in the journal when append returns, replayed after a kill, and in db.json after a stop', async () => {
    const db = newDb();
    const store = await Store.open(db);
    store.add(client(1), 1);
    store.append('grants', grant(1));
    store.append('grants', grant(2));
    expect(ids(store.records('grants'))).toEqual(['grant_1', 'grant_2']);
    expect(store.find('grants', 'grant_2')).toEqual(grant(2));

    // What a kill now would leave: the journal holds both grants and the client.
    const entries = readFileSync(`${db}.journal`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => [e['collection'], e['op'], e['sequence']])).toEqual([
      ['clients', 'add', 1],
      ['grants', 'add', 1],
      ['grants', 'add', 2],
    ]);
    const replayed = await new JournaledJSONFile(db).read();
    expect(ids(replayed?.['grants'] as StoredRecord[])).toEqual(['grant_1', 'grant_2']);
    expect(ids(replayed?.clients)).toEqual(['tpc_1']);

    await store.close();
    expect(existsSync(`${db}.journal`)).toBe(false);
    const onDisk = JSON.parse(readFileSync(db, 'utf8')) as Record<string, unknown>;
    expect(ids(onDisk['grants'] as StoredRecord[])).toEqual(['grant_1', 'grant_2']);
    expect(onDisk['meta']).toEqual({ sequence: 1, epoch: 0, appended: { grants: 2 } });

    const again = await Store.open(db);
    again.append('grants', grant(3));
    expect(ids(again.records('grants'))).toEqual(['grant_1', 'grant_2', 'grant_3']);
    await again.close();
  });

  it('replays only what db.json lacks: a record folded in, then deleted, does not come back', async () => {
    const db = newDb();
    // db.json written by a checkpoint that folded grants 1-3 and then lost grant 2 (deleted over
    // json-server), killed before it dropped the rotated journal.
    const grants = [grant(1), grant(3)];
    writeFileSync(
      db,
      JSON.stringify({ clients: [], grants, meta: { sequence: 0, epoch: 0, appended: { grants: 3 } } }),
    );
    writeFileSync(`${db}.journal.old`, grantEntry(1) + grantEntry(2) + grantEntry(3));
    writeFileSync(`${db}.journal`, grantEntry(4));
    const store = await Store.open(db);
    expect(ids(store.records('grants'))).toEqual(['grant_1', 'grant_3', 'grant_4']);
    await store.close();
  });

  it('a journal entry for a collection that is no array in db.json: refused, saying which line', async () => {
    const db = newDb();
    writeFileSync(db, JSON.stringify({ clients: [], grants: {}, meta: { sequence: 0, epoch: 0 } }));
    writeFileSync(`${db}.journal`, grantEntry(1));
    await expect(Store.open(db)).rejects.toThrow(/journal: line 1 cannot be replayed: it adds to "grants"/);
  });

  it.each(['clients', 'meta', '__proto__', ''])('append refuses %j', async (name) => {
    const store = await Store.open(':memory:');
    expect(() => store.append(name, grant(1))).toThrow(TypeError);
    await store.close();
  });
});
