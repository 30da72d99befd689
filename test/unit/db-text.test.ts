import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DbText, writeInSlices } from '../../src/store/db-text.js';
import { check, runs } from '../fuzz/harness.js';

const text = (db: DbText, data: Record<string, unknown>) => Buffer.concat([...db.pieces(db.snapshot(data))]).toString();

/** db.json as a person or json-server may have left it: any collections, in any order, and other values. */
const anyData = fc.dictionary(
  fc.string({ minLength: 0, maxLength: 8 }),
  fc.oneof(fc.array(fc.oneof(fc.jsonValue(), fc.object()), { maxLength: 6 }), fc.jsonValue()),
  { maxKeys: 5 },
);

describe("db.json's text, in pieces", () => {
  it('is JSON.stringify(data, null, 2), byte for byte, the first time and from kept texts', async () => {
    await check(
      'db text',
      fc.property(anyData, (data) => {
        const db = new DbText();
        const expected = JSON.stringify(data, null, 2);
        expect(text(db, data)).toBe(expected);
        expect(text(db, data)).toBe(expected);
      }),
      runs(200),
    );
  });

  it('a record replaced gets its new text; one changed in place only once forget() is called', () => {
    const db = new DbText();
    const a = { id: 'a', client_id: 'a', n: 1 };
    const data: Record<string, unknown> = { clients: [a], meta: { sequence: 1, epoch: 0 } };
    text(db, data);
    (data['clients'] as unknown[])[0] = { ...a, n: 2 };
    expect(text(db, data)).toBe(JSON.stringify(data, null, 2));
    const b = (data['clients'] as Array<Record<string, unknown>>)[0]!;
    b['n'] = 3;
    db.forget();
    expect(text(db, data)).toBe(JSON.stringify(data, null, 2));
  });

  it('holds what was there at the snapshot, not what came after', () => {
    const db = new DbText();
    const clients = [{ id: 'a', client_id: 'a' }];
    const data = { clients, meta: { sequence: 1, epoch: 0 } };
    const snapshot = db.snapshot(data);
    const before = JSON.stringify(data, null, 2);
    clients.push({ id: 'b', client_id: 'b' });
    data.meta.sequence = 2;
    expect(Buffer.concat([...db.pieces(snapshot)]).toString()).toBe(before);
  });

  it('mends a client without a client_id, as the checkpoint always did', () => {
    const db = new DbText();
    const data = { clients: [{ id: 'x', client_name: 'over REST' }] };
    expect(JSON.parse(text(db, data))).toEqual({ clients: [{ id: 'x', client_name: 'over REST', client_id: 'x' }] });
  });
});

describe('writeInSlices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-slices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the whole text through a temp file it renames, and leaves no temp file when a piece throws', async () => {
    const path = join(dir, 'db.json');
    const pieces = Array.from({ length: 5000 }, (_, i) => Buffer.from(`${'x'.repeat(100)}${i}\n`));
    await writeInSlices(path, join(dir, '.db.json.tmp'), pieces);
    expect(readFileSync(path)).toEqual(Buffer.concat(pieces));
    function* failing() {
      yield Buffer.from('half');
      throw new Error('serialising failed');
    }
    await expect(writeInSlices(path, join(dir, '.db.json.tmp'), failing())).rejects.toThrow('serialising failed');
    expect(readFileSync(path)).toEqual(Buffer.concat(pieces));
    expect(readdirSync(dir)).toEqual(['db.json']);
  });
});
