import { isObject } from '../is-object.js';

/** One registered client as stored in db.json: the registration response plus `id` for json-server's routes. */
export interface ClientRecord {
  id: string;
  client_id: string;
  [field: string]: unknown;
}

/** `sequence` counts successful registrations (n); `epoch` changes on every reset so a stale journal is never replayed. */
export interface Meta {
  sequence: number;
  epoch: number;
  /** With `--ids content`: how many clients were registered with each canonical metadata hash. */
  content?: Record<string, number>;
}

export interface Data {
  clients: ClientRecord[];
  meta: Meta;
  [collection: string]: unknown;
}

/** One line of the journal: the n-th registration of an epoch. */
export interface JournalEntry {
  epoch: number;
  sequence: number;
  client: ClientRecord;
}

export const emptyData = (epoch = 0): Data => ({ clients: [], meta: { sequence: 0, epoch } });

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

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
  const content = meta['content'];
  const counts =
    isObject(content) && Object.values(content).every(isCount) ? { content: content as Record<string, number> } : {};
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

export function toJournalEntry(parsed: unknown): JournalEntry | undefined {
  if (!isObject(parsed) || !isCount(parsed['epoch']) || !isCount(parsed['sequence'])) return undefined;
  const client = parsed['client'];
  if (!isObject(client) || typeof client['client_id'] !== 'string' || typeof client['id'] !== 'string')
    return undefined;
  return parsed as unknown as JournalEntry;
}
