import type { BigIntStats } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { mendClientId } from './shape.js';

/** The longest a checkpoint gathers pieces before it lets the event loop turn (it writes what it has then). */
const SLICE_MS = 2;
/** Pieces handed to one writev (Linux takes at most 1024 buffers in one call). */
const BATCH = 1024;

type Part = { key: string; head: Buffer } & ({ items: unknown[] } | { text: Buffer });

/** What a checkpoint writes, taken at one moment: each collection's items (the same objects), the rest as text. */
export interface Snapshot {
  readonly parts: readonly Part[];
}

const bytes = (s: string) => Buffer.from(s);
const OPEN = bytes('{');
const CLOSE = bytes('\n}');
const CLOSE_EMPTY = bytes('}');
const FIRST_ITEM = bytes('[\n    ');
const NEXT_ITEM = bytes(',\n    ');
const END_ITEMS = bytes('\n  ]');
const NO_ITEMS = bytes('[]');
/** `[\n  [\n    ` and `\n  ]\n]`, around an item written two arrays deep. */
const WRAP_HEAD = 10;
const WRAP_TAIL = 6;

/**
 * db.json's text exactly as `JSON.stringify(data, null, 2)` gives it (the file lowdb writes and a
 * person reads), made in pieces so that a checkpoint of 50,000 clients never holds the event loop
 * for long. Why: serialising the whole store at once took ~0.6 s at 50,000 clients, during which no
 * request was answered. Each stored record's text is kept as UTF-8 bytes (outside the JS heap, so
 * the garbage collector does not walk them), keyed by the record object: a later checkpoint hands
 * the kept bytes to writev and makes next to no garbage. Stored records are replaced, never changed
 * in place — except by json-server, after whose writes `forget()` drops every text.
 */
export class DbText {
  #texts = new WeakMap<object, Buffer>();

  forget(): void {
    this.#texts = new WeakMap();
  }

  /** Taken synchronously with the journal's rotation, so that it holds exactly the entries appended before. */
  snapshot(data: Record<string, unknown>): Snapshot {
    const parts: Part[] = [];
    for (const [key, value] of Object.entries(data)) {
      const head = bytes(`${parts.length === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `);
      if (Array.isArray(value)) {
        parts.push({ key, head, items: value.slice() });
        continue;
      }
      const text = JSON.stringify(value, null, 2);
      // As JSON.stringify leaves out a property it cannot write (undefined, a function).
      if (text !== undefined) parts.push({ key, head, text: bytes(text.replaceAll('\n', '\n  ')) });
    }
    return { parts };
  }

  /** The bytes of a snapshot, piece by piece: joined, they are `JSON.stringify(data, null, 2)`. */
  *pieces(snapshot: Snapshot): Generator<Buffer> {
    yield OPEN;
    for (const part of snapshot.parts) {
      yield part.head;
      if ('text' in part) {
        yield part.text;
        continue;
      }
      if (part.items.length === 0) {
        yield NO_ITEMS;
        continue;
      }
      // A client written over json-server's routes may lack its client_id; mended, db.json opens again.
      const clients = part.key === 'clients';
      let first = true;
      for (const item of part.items) {
        yield first ? FIRST_ITEM : NEXT_ITEM;
        first = false;
        yield this.#itemText(item, clients);
      }
      yield END_ITEMS;
    }
    yield snapshot.parts.length === 0 ? CLOSE_EMPTY : CLOSE;
  }

  #itemText(item: unknown, client: boolean): Buffer {
    if (typeof item !== 'object' || item === null) return bytes(JSON.stringify(item) ?? 'null');
    if (client && mendClientId(item as Record<string, unknown>)) this.#texts.delete(item);
    let text = this.#texts.get(item);
    if (text === undefined) {
      // Written two arrays deep, an item comes out indented as db.json holds it: no second pass over its text.
      const json = JSON.stringify([[item]], null, 2);
      text = bytes(json.slice(WRAP_HEAD, json.length - WRAP_TAIL));
      this.#texts.set(item, text);
    }
    return text;
  }
}

/**
 * Writes `pieces` to `path` atomically (a temp file, then a rename: never half a file), letting the
 * event loop turn at least every SLICE_MS of gathering. `beforeRename` may throw to keep `path` as it
 * is; the temp file is removed if anything fails. Returns the written file's stat (the same after the rename).
 */
export async function writeInSlices(
  path: string,
  tempPath: string,
  pieces: Iterable<Buffer>,
  beforeRename: () => void = () => {},
): Promise<BigIntStats> {
  const file = await open(tempPath, 'w');
  let stat: BigIntStats;
  try {
    const write = async (batch: Buffer[]) => {
      let total = 0;
      for (const piece of batch) total += piece.length;
      const { bytesWritten } = await file.writev(batch);
      // A short write (rare on a regular file): the rest, one buffer at a time.
      if (bytesWritten < total) {
        const rest = Buffer.concat(batch).subarray(bytesWritten);
        for (let at = 0; at < rest.length; ) at += (await file.write(rest, at)).bytesWritten;
      }
    };
    let batch: Buffer[] = [];
    let sliceStart = performance.now();
    for (const piece of pieces) {
      batch.push(piece);
      if (batch.length >= BATCH || performance.now() - sliceStart > SLICE_MS) {
        await write(batch);
        batch = [];
        sliceStart = performance.now();
      }
    }
    await write(batch);
    stat = await file.stat({ bigint: true });
    await file.close();
    beforeRename();
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw err;
  }
  await rename(tempPath, path);
  return stat;
}
