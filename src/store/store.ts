import { resolve } from 'node:path';
import { type Adapter, Low, Memory } from 'lowdb';
import { StartupError } from '../errors.js';
import { JournaledJSONFile } from './journaled-file.js';
import { Observer } from './observer.js';
import { CLIENTS, type ClientRecord, type Data, type StoredRecord, emptyData, isCollectionName } from './shape.js';

export const MEMORY = ':memory:';

/** How long the store waits after the last registration before folding the journal into db.json. */
const IDLE_CHECKPOINT_MS = 200;
/** A checkpoint also runs once the journal outgrows db.json (and 1 MiB), so its cost per registration stays flat. */
const MIN_CHECKPOINT_BYTES = 1 << 20;
/**
 * A checkpoint blocks while db.json is serialized: ~0.3-0.9 s at 50,000 clients. Past this size an
 * idle spell alone no longer triggers one; the journal (replayed at start) holds what db.json lacks
 * until it is an eighth of db.json's size, the size trigger above, or a stop.
 */
const MAX_IDLE_CHECKPOINT_BYTES = 2 << 20;

/**
 * The clients and the sequence counter, over one lowdb instance (`db`) that json-server shares.
 * `add` and `append` are synchronous and durable: when they return, the record survives a kill.
 */
export class Store {
  readonly db: Low<Data>;
  readonly #file: JournaledJSONFile | undefined;
  /** Records by id, per collection; built on first use, dropped when json-server changed the data. */
  readonly #indexes = new Map<string, Map<string, StoredRecord>>();
  #timer: NodeJS.Timeout | undefined;
  #dbBytes = 0;

  private constructor(adapter: Adapter<Data>, file: JournaledJSONFile | undefined) {
    // json-server changes the data itself, then calls db.write(): the indexes are rebuilt after that.
    this.db = new Low<Data>(new Observer(adapter, () => this.#indexes.clear()), emptyData());
    this.#file = file;
  }

  /** Opens (or creates) the store. An unusable db.json throws a StartupError and is left untouched. */
  static async open(path: string): Promise<Store> {
    if (path === MEMORY) return new Store(new Memory<Data>(), undefined);
    const file = new JournaledJSONFile(resolve(path));
    const store = new Store(file, file);
    await store.db.read();
    store.#dbBytes = store.#estimateBytes();
    // Fold a replayed journal in (or create a missing file) right away; an intact db.json is not rewritten.
    try {
      if (file.needsCheckpoint) await store.#checkpoint();
    } catch (err) {
      throw new StartupError(
        `Failed to write the store ${file.path}: ${(err as Error).message}. Check that its folder exists and is writable, or pass --db with another path.`,
        1,
      );
    }
    return store;
  }

  get path(): string {
    return this.#file?.path ?? MEMORY;
  }

  get sequence(): number {
    return this.db.data.meta.sequence;
  }

  get clients(): readonly ClientRecord[] {
    return this.db.data.clients;
  }

  has(id: string): boolean {
    return this.#index(CLIENTS).has(id);
  }

  get(id: string): ClientRecord | undefined {
    return this.#index(CLIENTS).get(id) as ClientRecord | undefined;
  }

  /** Stores the `sequence`-th registration. Durable on return. */
  add(client: ClientRecord, sequence: number): void {
    const { meta } = this.db.data;
    this.#journal(CLIENTS, sequence, client);
    meta.sequence = Math.max(meta.sequence, sequence);
    this.#scheduleCheckpoint();
  }

  /** The records of a collection (empty when db.json has none). */
  records(collection: string): readonly StoredRecord[] {
    const items = this.db.data[collection];
    return Array.isArray(items) ? items : [];
  }

  /** The record of a collection with this id. */
  find(collection: string, id: string): StoredRecord | undefined {
    return this.#index(collection).get(id);
  }

  /**
   * Appends a record to a collection of dcr-mock's own other than clients (created if missing),
   * journaled like a registration: durable on return, replayed after a kill, never twice.
   */
  append(collection: string, record: StoredRecord): void {
    if (collection === CLIENTS || !isCollectionName(collection)) {
      throw new TypeError(`collection must be a collection other than clients and meta, not ${collection}`);
    }
    const items = this.db.data[collection];
    if (items !== undefined && !Array.isArray(items)) {
      throw new TypeError(`collection must name an array in db.json; ${collection} is none`);
    }
    const { meta } = this.db.data;
    const sequence = (meta.appended?.[collection] ?? 0) + 1;
    this.#journal(collection, sequence, record);
    (meta.appended ??= {})[collection] = sequence;
    this.#scheduleCheckpoint();
  }

  /** Journals the record, then keeps it in memory: nothing is there that a kill would lose. */
  #journal(collection: string, sequence: number, record: StoredRecord): void {
    const { meta } = this.db.data;
    this.#file?.append({ epoch: meta.epoch, collection, op: 'add', sequence, record });
    const items = (this.db.data[collection] ??= []) as StoredRecord[];
    items.push(record);
    this.#indexes.get(collection)?.set(record.id, record);
  }

  /**
   * Adds clients that must not advance the sequence (fixtures), skipping any id already stored, so
   * loading the same ones again adds nothing and never overwrites. Written at once. Returns how many were added.
   */
  async preload(clients: readonly ClientRecord[]): Promise<number> {
    let added = 0;
    for (const client of clients) {
      if (this.has(client.id)) continue;
      // A copy: the caller keeps the originals to reset to, and what is stored is open to edits over REST.
      const copy = structuredClone(client);
      this.db.data.clients.push(copy);
      this.#index(CLIENTS).set(copy.id, copy);
      added++;
    }
    if (added > 0) await this.#checkpoint();
    return added;
  }

  async remove(id: string): Promise<boolean> {
    const { clients } = this.db.data;
    const at = clients.findIndex((c) => c.id === id);
    if (at === -1) return false;
    clients.splice(at, 1);
    this.#index(CLIENTS).delete(id);
    await this.#checkpoint();
    return true;
  }

  /** Replaces the stored client with the same id (an RFC 7592 update); written at once, these are rare. */
  async replace(client: ClientRecord): Promise<boolean> {
    const { clients } = this.db.data;
    const at = clients.findIndex((c) => c.id === client.id);
    if (at === -1) return false;
    clients[at] = client;
    this.#index(CLIENTS).set(client.id, client);
    await this.#checkpoint();
    return true;
  }

  /**
   * Back to `initial` (the fixtures: copies of them) and a rewound sequence, in one write; a new epoch
   * makes any older journal entry void.
   */
  async reset(initial: readonly ClientRecord[] = []): Promise<void> {
    const { meta } = this.db.data;
    this.db.data.clients = initial.map((client) => structuredClone(client));
    this.db.data.meta = { sequence: 0, epoch: meta.epoch + 1 };
    this.#indexes.clear();
    await this.#checkpoint();
  }

  /** Folds the journal into db.json now, if it holds anything. */
  async flush(): Promise<void> {
    if (this.#file && this.#file.journalBytes > 0) await this.#checkpoint();
    else await this.#file?.settled();
  }

  /** Writes everything to db.json. */
  async #checkpoint(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#file) await this.#file.write(this.db.data);
    this.#dbBytes = this.#estimateBytes();
  }

  async close(): Promise<void> {
    await this.flush();
    this.#file?.close();
  }

  #scheduleCheckpoint(): void {
    const file = this.#file;
    if (!file) return;
    if (file.journalBytes > Math.max(MIN_CHECKPOINT_BYTES, this.#dbBytes)) {
      void this.#checkpoint().catch(reportCheckpointFailure);
      return;
    }
    if (this.#dbBytes > MAX_IDLE_CHECKPOINT_BYTES && file.journalBytes * 8 < this.#dbBytes) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush().catch(reportCheckpointFailure), IDLE_CHECKPOINT_MS);
    this.#timer.unref();
  }

  #estimateBytes(): number {
    // A cheap stand-in for db.json's size: what matters is its growth with the number of clients.
    return this.db.data.clients.length * 400;
  }

  #index(collection: string): Map<string, StoredRecord> {
    let byId = this.#indexes.get(collection);
    if (byId) return byId;
    byId = new Map();
    for (const r of this.records(collection)) if (r && typeof r.id === 'string') byId.set(r.id, r);
    this.#indexes.set(collection, byId);
    return byId;
  }
}

function reportCheckpointFailure(err: unknown): void {
  // The journal still holds every acknowledged client; the next checkpoint or restart folds it in.
  console.error(`[dcr-mock] Failed to write db.json: ${(err as Error).message}. The journal keeps every client.`);
}
