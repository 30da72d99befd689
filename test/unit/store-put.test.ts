import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeEntry } from '../../src/store/journal-line.js';
import { JournaledJSONFile } from '../../src/store/journaled-file.js';
import type { JournalEntry, StoredRecord } from '../../src/store/shape.js';
import { Store } from '../../src/store/store.js';
import { storedClient as client } from '../support/records.js';
import { tempDir } from '../support/server.js';

const root = tempDir();
let dirs = 0;
const newDb = () => {
  const dir = join(root, `${++dirs}`);
  mkdirSync(dir);
  return join(dir, 'db.json');
};

/** A refresh-token family as it changes: a new generation on each rotation, revoked at the end. */
const family = (n: number, generation: number, revoked = false): StoredRecord => ({
  id: `rtf_${n}`,
  n,
  client_id: 'tpc_1',
  generation,
  revoked_at: revoked ? 1_700_000_000 : null,
});
const put = (sequence: number, record: StoredRecord, epoch = 0): JournalEntry => ({
  epoch,
  collection: 'refresh_tokens',
  op: 'put',
  sequence,
  record,
});
/** A line as dcr-mock writes it (with its CRC). */
const line = (entry: JournalEntry) => encodeEntry(entry).toString();
/** A line cut short by a kill in the middle of its write: never acknowledged. */
const cut = (text: string) => text.slice(0, Math.floor(text.length / 2));
const dbJson = (families: StoredRecord[], appended: number, others: Record<string, StoredRecord[]> = {}) =>
  JSON.stringify({
    clients: [],
    refresh_tokens: families,
    ...others,
    meta: { sequence: 0, epoch: 0, appended: { refresh_tokens: appended, ...counts(others) } },
  });
const counts = (others: Record<string, StoredRecord[]>) =>
  Object.fromEntries(Object.entries(others).map(([name, records]) => [name, records.length]));
const families = (records: readonly StoredRecord[] | undefined) =>
  (records ?? []).map((r) => `${r.id}@${r['generation']}${r['revoked_at'] === null ? '' : ' revoked'}`);

describe('Store.put: records that change', () => {
  it('adds, then replaces in place: one record per id in memory, in the journal replay and in db.json', async () => {
    const db = newDb();
    const store = await Store.open(db);
    store.put('refresh_tokens', family(1, 1));
    store.put('refresh_tokens', family(2, 1));
    store.put('refresh_tokens', family(1, 2));
    store.put('refresh_tokens', family(1, 3));
    store.put('refresh_tokens', family(2, 1, true));
    expect(families(store.records('refresh_tokens'))).toEqual(['rtf_1@3', 'rtf_2@1 revoked']);
    expect(store.find('refresh_tokens', 'rtf_1')).toEqual(family(1, 3));

    // What a kill now would leave: five CRC'd put lines, which replay to the same two records.
    const lines = readFileSync(`${db}.journal`, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.slice(0, 8))).toEqual(Array(5).fill('{"crc":"'));
    expect(lines.map((l) => JSON.parse(l).op)).toEqual(Array(5).fill('put'));
    const replayed = await new JournaledJSONFile(db).read();
    expect(families(replayed?.['refresh_tokens'] as StoredRecord[])).toEqual(['rtf_1@3', 'rtf_2@1 revoked']);

    await store.close();
    const onDisk = JSON.parse(readFileSync(db, 'utf8'));
    expect(families(onDisk.refresh_tokens)).toEqual(['rtf_1@3', 'rtf_2@1 revoked']);
    expect(onDisk.meta).toEqual({ sequence: 0, epoch: 0, appended: { refresh_tokens: 5 } });

    // A reopen goes on from there: the sequence continues and the next put replaces again.
    const again = await Store.open(db);
    again.put('refresh_tokens', family(1, 4));
    expect(families(again.records('refresh_tokens'))).toEqual(['rtf_1@4', 'rtf_2@1 revoked']);
    await again.close();
    expect(JSON.parse(readFileSync(db, 'utf8')).meta.appended).toEqual({ refresh_tokens: 6 });
  });

  it('shares the collection with append: a put replaces an appended record, an add never replaces', async () => {
    const store = await Store.open(':memory:');
    store.append('refresh_tokens', family(1, 1));
    store.put('refresh_tokens', family(1, 2));
    store.append('refresh_tokens', family(1, 9));
    expect(families(store.records('refresh_tokens'))).toEqual(['rtf_1@2', 'rtf_1@9']);
    await store.close();
  });

  it('replaces the record json-server left, after json-server replaced the whole array', async () => {
    const db = newDb();
    const store = await Store.open(db);
    store.put('refresh_tokens', family(1, 1));
    store.put('refresh_tokens', family(2, 1));
    // As json-server's DELETE does: a new array, then a write.
    store.db.data['refresh_tokens'] = [family(2, 1)];
    await store.db.write();
    store.put('refresh_tokens', family(2, 2));
    store.put('refresh_tokens', family(1, 2));
    expect(families(store.records('refresh_tokens'))).toEqual(['rtf_2@2', 'rtf_1@2']);
    await store.close();
    expect(families(JSON.parse(readFileSync(db, 'utf8')).refresh_tokens)).toEqual(['rtf_2@2', 'rtf_1@2']);
  });

  it.each([
    ['clients', family(1, 1)],
    ['meta', family(1, 1)],
    ['__proto__', family(1, 1)],
    ['', family(1, 1)],
    ['refresh_tokens', { n: 1 } as unknown as StoredRecord],
    ['refresh_tokens', { id: 1 } as unknown as StoredRecord],
    ['refresh_tokens', null as unknown as StoredRecord],
  ])('refuses %j with %j, writing nothing a restart could not replay', async (collection, record) => {
    const db = newDb();
    const store = await Store.open(db);
    expect(() => store.put(collection, record)).toThrow(TypeError);
    expect(() => store.append(collection, record)).toThrow(TypeError);
    await store.close();
    expect(() => readFileSync(`${db}.journal`)).toThrow(/ENOENT/);
  });

  it('reset empties the collections put to (named or not), and a reset replayed after a kill does too', async () => {
    const db = newDb();
    const store = await Store.open(db);
    store.db.data['posts'] = [{ id: 'p1' }];
    store.put('refresh_tokens', family(1, 1));
    store.put('sessions', { id: 's1' });
    await store.reset([], ['refresh_tokens']);
    expect(store.records('refresh_tokens')).toEqual([]);
    expect(store.records('sessions')).toEqual([]);
    expect(store.records('posts')).toEqual([{ id: 'p1' }]);
    store.put('refresh_tokens', family(1, 1));
    expect(families(store.records('refresh_tokens'))).toEqual(['rtf_1@1']);
    await store.close();

    // A reset that never reached db.json, then a put acknowledged in the new epoch.
    const killed = newDb();
    writeFileSync(killed, dbJson([family(1, 3), family(2, 1)], 4, { sessions: [{ id: 's1' }] }));
    writeFileSync(`${killed}.journal`, line(put(1, family(1, 1), 1)));
    const reopened = await Store.open(killed);
    expect(families(reopened.records('refresh_tokens'))).toEqual(['rtf_1@1']);
    expect(reopened.records('sessions')).toEqual([]);
    await reopened.close();
  });
});

interface PutCrash {
  readonly name: string;
  readonly db?: string;
  readonly journal?: string;
  readonly rotated?: string;
  /** The families the store must hold, in order, and the collection's sequence. */
  readonly families: string[];
  readonly appended: number;
  /** What start-up warns about, if anything. */
  readonly warning?: RegExp;
}

// Files as a kill can leave them at each step of put and checkpoint (rotate, write db.json, drop the rotated journal).
const CRASHES: PutCrash[] = [
  {
    name: 'a journal only, the same id put again and again',
    journal: line(put(1, family(1, 1))) + line(put(2, family(1, 2))) + line(put(3, family(1, 3))),
    families: ['rtf_1@3'],
    appended: 3,
  },
  {
    name: 'puts of two ids interleaved: each keeps its first place',
    journal: [put(1, family(1, 1)), put(2, family(2, 1)), put(3, family(1, 2)), put(4, family(2, 1, true))]
      .map(line)
      .join(''),
    families: ['rtf_1@2', 'rtf_2@1 revoked'],
    appended: 4,
  },
  {
    name: 'a last put cut mid-write: the version before it stays',
    db: dbJson([family(1, 1)], 1),
    journal: line(put(2, family(1, 2))) + cut(line(put(3, family(1, 3)))),
    families: ['rtf_1@2'],
    appended: 2,
    warning: /db\.json\.journal ends in an entry cut short mid-write \(line 2, \d+ bytes\)/,
  },
  {
    name: 'the first put of a new id cut mid-write: the id is not there',
    db: dbJson([family(1, 1)], 1),
    journal: cut(line(put(2, family(2, 1)))),
    families: ['rtf_1@1'],
    appended: 1,
    warning: /cut short mid-write \(line 1,/,
  },
  {
    name: 'killed after rotating, before db.json was written',
    db: dbJson([family(1, 1)], 1),
    rotated: line(put(2, family(1, 2))),
    journal: line(put(3, family(1, 3))),
    families: ['rtf_1@3'],
    appended: 3,
  },
  {
    name: 'killed after db.json was written, before the rotated journal was dropped: nothing replays twice',
    db: dbJson([family(1, 3)], 3),
    rotated: line(put(1, family(1, 1))) + line(put(2, family(1, 2))) + line(put(3, family(1, 3))),
    journal: line(put(4, family(1, 4))),
    families: ['rtf_1@4'],
    appended: 4,
  },
  {
    name: 'a family revoked by hand in db.json after it was folded: an older put does not undo it',
    db: dbJson([family(1, 2, true)], 2),
    rotated: line(put(1, family(1, 1))) + line(put(2, family(1, 2))),
    families: ['rtf_1@2 revoked'],
    appended: 2,
  },
  {
    name: 'a rotated journal cut mid-copy (a checkpoint after a failed one)',
    db: dbJson([family(1, 1)], 1),
    rotated: line(put(2, family(1, 2))) + cut(line(put(3, family(1, 3)))),
    journal: line(put(3, family(1, 3))),
    families: ['rtf_1@3'],
    appended: 3,
    warning: /journal\.old ends in an entry cut short/,
  },
  {
    name: 'lines without a CRC (written by hand), adds and puts mixed',
    journal: `${JSON.stringify({ epoch: 0, collection: 'refresh_tokens', op: 'add', sequence: 1, record: family(1, 1) })}\n${JSON.stringify(put(2, family(1, 2)))}\n`,
    families: ['rtf_1@2'],
    appended: 2,
  },
];

describe('a journal of puts, as a kill left it', () => {
  it.each(CRASHES)('$name', async (state) => {
    const db = newDb();
    if (state.db !== undefined) writeFileSync(db, state.db);
    if (state.journal !== undefined) writeFileSync(`${db}.journal`, state.journal);
    if (state.rotated !== undefined) writeFileSync(`${db}.journal.old`, state.rotated);
    const warnings: string[] = [];
    const store = await Store.open(db, { warn: (w) => warnings.push(w) });
    expect(families(store.records('refresh_tokens'))).toEqual(state.families);
    expect(store.db.data.meta.appended).toEqual({ refresh_tokens: state.appended });
    if (state.warning) expect(warnings).toEqual([expect.stringMatching(state.warning)]);
    else expect(warnings).toEqual([]);
    // The open folded the journal in: db.json alone gives the same records, and opening again changes nothing.
    const folded = readFileSync(db, 'utf8');
    expect(families(JSON.parse(folded).refresh_tokens)).toEqual(state.families);
    await store.close();
    const again = await Store.open(db);
    again.put('refresh_tokens', family(1, 100));
    await again.close();
    expect(families(JSON.parse(readFileSync(db, 'utf8')).refresh_tokens)).toEqual([
      'rtf_1@100',
      ...state.families.filter((f) => !f.startsWith('rtf_1@')),
    ]);
  });

  it.each([
    [
      'a put damaged in place (its CRC no longer matches)',
      (l: string) => l.replace('"generation":2', '"generation":7'),
    ],
    ['a put on clients', () => line({ epoch: 0, collection: 'clients', op: 'put', sequence: 1, record: client(1) })],
    ['an op of no known kind', (l: string) => l.replace('"op":"put"', '"op":"patch"').replace(/^\{"crc":"\w+",/, '{')],
  ])('refuses %s before the last line, naming the line, and leaves the files as they are', async (_, damage) => {
    const db = newDb();
    const journal = line(put(1, family(1, 1))) + damage(line(put(2, family(1, 2)))) + line(put(3, family(1, 3)));
    writeFileSync(`${db}.journal`, journal);
    await expect(Store.open(db)).rejects.toThrow(/db\.json\.journal: line 2 is not a journal entry/);
    expect(readFileSync(`${db}.journal`, 'utf8')).toBe(journal);
  });
});
