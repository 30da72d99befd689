import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { JournaledJSONFile } from '../../src/store/journaled-file.js';
import { Store } from '../../src/store/store.js';
import { idsInDbJson, storedClient as client } from '../support/records.js';
import { tempDir } from '../support/server.js';

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the condition never held');
    await sleep(20);
  }
}

describe('checkpoints: when db.json is rewritten', () => {
  const dir = tempDir();

  it('a small store folds a registration into db.json soon after the last one', async () => {
    const db = join(dir, 'small.json');
    const store = await Store.open(db);
    store.add(client(1), 1);
    await until(() => idsInDbJson(db).includes('tpc_1'));
    await store.close();
  });

  it('a big store does not rewrite db.json for a few registrations: the journal holds them until a stop', async () => {
    const db = join(dir, 'big.json');
    const clients = Array.from({ length: 6_000 }, (_, i) => client(i + 1));
    writeFileSync(db, JSON.stringify({ clients, meta: { sequence: clients.length, epoch: 0 } }));
    const before = readFileSync(db, 'utf8');
    const store = await Store.open(db);
    store.add(client(6_001), 6_001);
    // Three times the idle delay: a small store would have been rewritten by now.
    await sleep(600);
    expect(readFileSync(db, 'utf8')).toBe(before);
    // Nothing is lost for it: db.json and its journal hold the client.
    const onDisk = await new JournaledJSONFile(db).read();
    expect(onDisk?.clients.at(-1)?.client_id).toBe('tpc_6001');
    await store.close();
    expect(idsInDbJson(db).at(-1)).toBe('tpc_6001');
  });

  it('writes the file lowdb would: JSON.stringify(data, null, 2), byte for byte, other collections included', async () => {
    const db = join(dir, 'shape.json');
    writeFileSync(
      db,
      JSON.stringify({
        meta: { sequence: 1, epoch: 0 },
        posts: [{ id: 1, title: 'é ✓' }],
        clients: [client(1)],
        note: 'kept',
      }),
    );
    const store = await Store.open(db);
    store.add(client(2), 2);
    store.append('grants', { id: 'g1', client_id: 'tpc_2' });
    await store.flush();
    const expected = JSON.stringify(store.db.data, null, 2);
    expect(readFileSync(db, 'utf8')).toBe(expected);
    // Again, from the texts kept since.
    store.add(client(3), 3);
    await store.flush();
    expect(readFileSync(db, 'utf8')).toBe(JSON.stringify(store.db.data, null, 2));
    await store.close();
  });
});
