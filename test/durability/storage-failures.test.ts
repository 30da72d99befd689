import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StartupError, StorageUnavailable } from '../../src/errors.js';
import { JournaledJSONFile, NODE_IO, type StoreIo } from '../../src/store/journaled-file.js';
import { encodeEntry } from '../../src/store/journal-line.js';
import { Store } from '../../src/store/store.js';
import { storedClient as client } from '../support/records.js';
import { tempDir } from '../support/server.js';

const root = tempDir();
let count = 0;
/** A db path in a folder of its own (a checkpoint's temp file goes beside it). */
function newDb(): string {
  const dir = join(root, `case-${++count}`);
  mkdirSync(dir);
  return join(dir, 'db.json');
}

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A disk whose writes fail while `full` says so: the first call of each failing append writes half its buffer. */
function fullDisk(state: { full: boolean; truncateFails: number }): StoreIo {
  let half = true;
  return {
    ...NODE_IO,
    write: (fd, buffer, offset) => {
      if (!state.full) return NODE_IO.write(fd, buffer, offset);
      half = !half;
      if (!half)
        return NODE_IO.write(fd, buffer.subarray(0, offset + Math.floor((buffer.length - offset) / 2)), offset);
      throw noSpace();
    },
    truncate: (fd, length) => {
      if (state.truncateFails-- > 0) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
      NODE_IO.truncate(fd, length);
    },
  };
}

const ids = (records: readonly { client_id: string }[] | undefined) => (records ?? []).map((c) => c.client_id);
/** What a restart after a kill now would find, without writing anything. */
const afterKill = async (db: string) => ids((await new JournaledJSONFile(db).read())?.clients);

describe('an append that fails part-way (a full disk)', () => {
  it('is refused with a 503 naming ENOSPC, cut back, and the next entry is whole: a restart finds every acknowledged client', async () => {
    const db = newDb();
    const disk = { full: false, truncateFails: 0 };
    const store = await Store.open(db, { io: fullDisk(disk) });
    store.add(client(1), 1);
    store.add(client(2), 2);
    disk.full = true;
    let refused: unknown;
    try {
      store.add(client(3), 3);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(StorageUnavailable);
    expect((refused as StorageUnavailable).toBody()).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(
        /^the store could not write db\.json\.journal \(ENOSPC: .*nothing was stored$/,
      ),
    });
    expect((refused as StorageUnavailable).status).toBe(503);
    // Nothing stored: not in memory, not in the journal.
    expect(ids(store.clients)).toEqual(['tpc_1', 'tpc_2']);
    expect(readFileSync(`${db}.journal`, 'utf8').split('\n')).toHaveLength(3);
    disk.full = false;
    store.add(client(3), 3);
    expect(await afterKill(db)).toEqual(['tpc_1', 'tpc_2', 'tpc_3']);
    await store.close();
  });

  it('when it cannot be cut back either, nothing more goes in until it can', async () => {
    const db = newDb();
    const disk = { full: false, truncateFails: 2 };
    const store = await Store.open(db, { io: fullDisk(disk) });
    store.add(client(1), 1);
    disk.full = true;
    expect(() => store.add(client(2), 2)).toThrow(StorageUnavailable);
    disk.full = false;
    // The torn half is still there: the next append tries to cut it first, and is refused when it cannot.
    expect(() => store.add(client(2), 2)).toThrow(/EIO/);
    store.add(client(2), 2);
    expect(await afterKill(db)).toEqual(['tpc_1', 'tpc_2']);
    await store.close();
  });
});

describe('a journal as a stop mid-write left it', () => {
  it('a torn last entry is dropped with a warning, and what comes next is not glued to it', async () => {
    const db = newDb();
    const first = await Store.open(db);
    first.add(client(1), 1);
    await first.close();
    // As a kill in the middle of the next write leaves it, and nothing else in the journal.
    const line = encodeEntry({ epoch: 0, collection: 'clients', op: 'add', sequence: 2, record: client(2) });
    writeFileSync(`${db}.journal`, line.subarray(0, line.length - 20));
    const warnings: string[] = [];
    const reopened = await Store.open(db, { warn: (line) => warnings.push(line) });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^\[dcr-mock\] Warning: .*db\.json\.journal ends in an entry cut short mid-write \(line 1, \d+ bytes\): it was never acknowledged, and is dropped\.$/,
      ),
    ]);
    reopened.add(client(3), 2);
    expect(await afterKill(db)).toEqual(['tpc_1', 'tpc_3']);
    await reopened.close();
  });

  it.each([
    ['in the middle', 0],
    ['the last whole line', 1],
  ])('an entry changed %s is damage: refused, naming the line, the file untouched', async (_, line) => {
    const db = newDb();
    const store = await Store.open(db);
    store.add(client(1), 1);
    store.add(client(2), 2);
    const journal = readFileSync(`${db}.journal`, 'utf8');
    await store.close();
    // db.json as it was before the two registrations, the journal as they left it.
    writeFileSync(db, JSON.stringify({ clients: [], meta: { sequence: 0, epoch: 0 } }));
    // Still JSON, still an entry: only its checksum tells.
    const lines = journal.split('\n');
    lines[line] = lines[line]!.replace(`"c${line + 1}"`, '"cX"');
    const damaged = lines.join('\n');
    writeFileSync(`${db}.journal`, damaged);
    await expect(Store.open(db)).rejects.toThrow(
      new RegExp(`journal: line ${line + 1} is not a journal entry \\(its checksum does not match`),
    );
    expect(readFileSync(`${db}.journal`, 'utf8')).toBe(damaged);
  });
});

describe('db.json that cannot be written', () => {
  it('is found at start (read-only: EROFS), not at the first checkpoint', async () => {
    const db = newDb();
    writeFileSync(db, JSON.stringify({ clients: [client(1)], meta: { sequence: 1, epoch: 0 } }));
    const readOnly: StoreIo = {
      ...NODE_IO,
      open: (path, flags) => {
        if (flags !== 'r')
          throw Object.assign(new Error(`EROFS: read-only file system, open '${path}'`), { code: 'EROFS' });
        return NODE_IO.open(path, flags);
      },
    };
    const opening = Store.open(db, { io: readOnly });
    await expect(opening).rejects.toBeInstanceOf(StartupError);
    await expect(opening).rejects.toThrow(
      `Failed to open the store ${db}: it cannot be written (EROFS: read-only file system`,
    );
  });

  it('a stop after a failed checkpoint tries again, then says the journal keeps every client; the next start folds it in', async () => {
    const db = newDb();
    writeFileSync(db, JSON.stringify({ clients: [client(1)], meta: { sequence: 1, epoch: 0 } }));
    const warnings: string[] = [];
    const store = await Store.open(db, { warn: (line) => warnings.push(line) });
    // db.json cannot be replaced while its temp file's name is taken by a folder.
    const blocker = join(db, '..', '.db.json.tmp');
    mkdirSync(blocker);
    store.add(client(2), 2);
    await expect(store.flush()).rejects.toThrow(StorageUnavailable);
    await expect(store.close()).rejects.toThrow(
      /^Failed to write the store .*db\.json: EISDIR.*\. The journal \(.*db\.json\.journal\) keeps every client, and the next start folds it in/,
    );
    rmSync(blocker, { recursive: true });
    const again = await Store.open(db);
    expect(ids(again.clients)).toEqual(['tpc_1', 'tpc_2']);
    await again.close();
    expect(ids(JSON.parse(readFileSync(db, 'utf8')).clients)).toEqual(['tpc_1', 'tpc_2']);
  });
});
