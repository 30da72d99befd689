import { isObject } from '../is-object.js';

/** A stored record of any collection: json-server finds it by `id`. */
export interface StoredRecord {
  id: string;
  [field: string]: unknown;
}

/** One registered client as stored in db.json: the registration response plus `id` for json-server's routes. */
export interface ClientRecord extends StoredRecord {
  client_id: string;
}

/** `sequence` counts successful registrations (n); `epoch` changes on every reset so a stale journal is never replayed. */
export interface Meta {
  sequence: number;
  epoch: number;
  /** With `--ids content`: how many clients were registered with each canonical metadata hash. */
  content?: Record<string, number>;
  /** How many records were appended to each collection other than clients in this epoch (their sequence). */
  appended?: Record<string, number>;
}

export interface Data {
  clients: ClientRecord[];
  meta: Meta;
  [collection: string]: unknown;
}

export const CLIENTS = 'clients';

/**
 * One line of the journal: a record added to a collection, or put in it, in an epoch. `sequence`
 * numbers the collection's entries in the epoch: for clients it is the registration's n
 * (`meta.sequence`), for the others `meta.appended[collection]` (adds and puts counted alike); db.json
 * already holds every entry up to its own count.
 */
export interface JournalEntry {
  epoch: number;
  collection: string;
  /** `add` appends the record; `put` replaces the record of the same id, or appends it when there is none. */
  op: 'add' | 'put';
  sequence: number;
  record: StoredRecord;
}

export const emptyData = (epoch = 0): Data => ({ clients: [], meta: { sequence: 0, epoch } });

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCounts = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every(isCount);

/** Names that are no collection of records: dcr-mock's own counters, and keys that would reach a prototype. */
const NOT_COLLECTIONS = new Set(['meta', '__proto__', 'constructor', 'prototype']);

export const isCollectionName = (name: unknown): name is string =>
  typeof name === 'string' && name !== '' && !NOT_COLLECTIONS.has(name);

/**
 * Checks a parsed db.json and fills what an older or hand-written file may lack.
 * Returns the reason it is unusable, or the data.
 */
export function toData(parsed: unknown): Data | string {
  if (!isObject(parsed)) return 'it must hold a JSON object such as {"clients": []}';
  const clients = parsed['clients'] ?? [];
  if (!Array.isArray(clients)) return '"clients" must be an array';
  for (const [i, client] of clients.entries()) {
    if (!isObject(client)) return `clients[${i}] must be an object`;
    mendClientId(client);
    if (typeof client['client_id'] !== 'string' || client['client_id'] === '') {
      return `clients[${i}] must have a client_id string`;
    }
    if (client['id'] === undefined) client['id'] = client['client_id'];
    else if (typeof client['id'] !== 'string') return `clients[${i}].id must be a string`;
  }
  const meta = parsed['meta'] ?? { sequence: clients.length, epoch: 0 };
  if (!isObject(meta) || !isCount(meta['sequence']) || !isCount(meta['epoch'])) {
    return '"meta" must be {"sequence": <count>, "epoch": <count>}';
  }
  const counts = {
    ...(isCounts(meta['content']) ? { content: meta['content'] } : {}),
    ...(isCounts(meta['appended']) ? { appended: meta['appended'] } : {}),
  };
  return {
    ...parsed,
    clients: clients as ClientRecord[],
    meta: { sequence: meta['sequence'], epoch: meta['epoch'], ...counts },
  };
}

/**
 * A client written over json-server's REST routes may lack a client_id (POST /clients) or carry
 * one that is not a string: json-server's own id, a string, then stands for it. True if mended.
 */
export function mendClientId(client: Record<string, unknown>): boolean {
  const id = client['id'];
  const clientId = client['client_id'];
  if ((typeof clientId === 'string' && clientId !== '') || typeof id !== 'string' || id === '') return false;
  client['client_id'] = id;
  return true;
}

/** Mends every client of a collection about to be written, so that db.json always opens again. */
export function mendClientIds(clients: unknown): void {
  if (Array.isArray(clients)) for (const client of clients) if (isObject(client)) mendClientId(client);
}

/**
 * A parsed journal line as an entry, or undefined. Reads the generic entry and the one written
 * before it, `{epoch, sequence, client}` (a client's registration), so an older journal still opens.
 */
export function toJournalEntry(parsed: unknown): JournalEntry | undefined {
  if (!isObject(parsed) || !isCount(parsed['epoch']) || !isCount(parsed['sequence'])) return undefined;
  const legacy = parsed['collection'] === undefined && parsed['op'] === undefined;
  const entry = legacy
    ? { epoch: parsed['epoch'], collection: CLIENTS, op: 'add', sequence: parsed['sequence'], record: parsed['client'] }
    : parsed;
  const { collection, op, record } = entry;
  const known = op === 'add' || (op === 'put' && collection !== CLIENTS);
  if (!isCollectionName(collection) || !known || !isObject(record) || typeof record['id'] !== 'string')
    return undefined;
  if (collection === CLIENTS && typeof record['client_id'] !== 'string') return undefined;
  return entry as unknown as JournalEntry;
}

/** Where each id of a collection is in its array, per collection: filled on first use, kept as entries apply. */
export type Positions = Map<string, Map<string, number>>;

/**
 * Applies an entry to data read from db.json, unless db.json already holds it. `known` holds where
 * each id already is in each collection (filled as it goes), so that an `add` never puts a record
 * there twice and a `put` replaces the one of its id in place: db.json keeps one record per id.
 * Returns why the entry cannot be applied, or undefined.
 */
export function applyEntry(data: Data, entry: JournalEntry, known: Positions): string | undefined {
  const { meta } = data;
  if (entry.epoch > meta.epoch) {
    // Only a reset starts an epoch: one that a kill stopped before it reached db.json. It happened.
    data.clients = [];
    known.delete(CLIENTS);
    // dcr-mock's own other collections (those it appended to) were emptied by the reset too.
    for (const collection of Object.keys(meta.appended ?? {})) {
      if (Array.isArray(data[collection])) data[collection] = [];
      known.delete(collection);
    }
    data.meta = { sequence: 0, epoch: entry.epoch };
    return applyEntry(data, entry, known);
  }
  const { collection, sequence, record } = entry;
  const clients = collection === CLIENTS;
  const folded = clients ? meta.sequence : (meta.appended?.[collection] ?? 0);
  if (entry.epoch !== meta.epoch || sequence <= folded) return undefined;
  const items = (data[collection] ??= []);
  if (!Array.isArray(items)) return `it adds to ${JSON.stringify(collection)}, which is no array in db.json`;
  let at = known.get(collection);
  if (!at) known.set(collection, (at = positionsOf(items)));
  const found = at.get(record.id);
  if (found === undefined) at.set(record.id, items.push(record) - 1);
  else if (entry.op === 'put') items[found] = record;
  if (clients) meta.sequence = sequence;
  else (meta.appended ??= {})[collection] = sequence;
  return undefined;
}

function positionsOf(items: unknown[]): Map<string, number> {
  const at = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    const id = isObject(item) ? item['id'] : undefined;
    if (typeof id === 'string') at.set(id, i);
  }
  return at;
}
