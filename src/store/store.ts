import { basename, resolve } from 'node:path';
import { type Adapter, Low, Memory } from 'lowdb';
import { StartupError, StorageUnavailable } from '../errors.js';
import { isObject } from '../is-object.js';
import { DiskWatch } from './disk-watch.js';
import { ChangedOnDisk, JournaledJSONFile, type StoreIo } from './journaled-file.js';
import { StoreLock } from './lock.js';
import { Observer } from './observer.js';
import { CLIENTS, type ClientRecord, type Data, type StoredRecord, emptyData, isCollectionName } from './shape.js';

export const MEMORY = ':memory:';

export interface StoreOptions {
  /** Where warnings go (a journal's torn last line dropped, a checkpoint that failed); default stderr. */
  readonly warn?: (line: string) => void;
  /** The disk calls of the journal (a test's, to play a full disk). */
  readonly io?: StoreIo;
  /**
   * Whether to read db.json again when someone else changes it while the store is open (as
   * json-server does); default true. See docs/persistence.md.
   */
  readonly watch?: boolean;
  /** What else a version of db.json read again must satisfy: the reason it is unusable, or undefined. */
  readonly check?: (data: Data) => string | undefined;
}

/** How long the store waits after the last registration before folding the journal into db.json. */
const IDLE_CHECKPOINT_MS = 200;
/** A checkpoint also runs once the journal outgrows db.json (and 1 MiB), so its cost per registration stays flat. */
const MIN_CHECKPOINT_BYTES = 1 << 20;
/**
 * A checkpoint writes the whole of db.json (28 MB at 50,000 clients, in slices that leave the event
 * loop free). Past this size an idle spell alone no longer triggers one; the journal (replayed at
 * start) holds what db.json lacks until it is an eighth of db.json's size, the size trigger above, or a stop.
 */
const MAX_IDLE_CHECKPOINT_BYTES = 2 << 20;

/**
 * The clients and the sequence counter, over one lowdb instance (`db`) that json-server shares.
 * `add`, `append` and `put` are synchronous and durable: when they return, the record survives a kill.
 */
export class Store {
  readonly db: Low<Data>;
  readonly #file: JournaledJSONFile | undefined;
  /** Records by id, per collection; built on first use, dropped when json-server changed the data. */
  readonly #indexes = new Map<string, Map<string, StoredRecord>>();
  #timer: NodeJS.Timeout | undefined;
  #dbBytes = 0;
  #lock: StoreLock | undefined;
  #watch: DiskWatch | undefined;
  readonly #reloaded = new Set<() => void>();

  private constructor(
    adapter: Adapter<Data>,
    file: JournaledJSONFile | undefined,
    readonly warn: (line: string) => void,
    readonly check: (data: Data) => string | undefined = () => undefined,
  ) {
    // json-server changes the data itself, then calls db.write(): the indexes are rebuilt after that,
    // and the write is a checkpoint like the store's own.
    const checkpointing: Adapter<Data> = {
      read: () => adapter.read(),
      write: () => this.#checkpoint('the change is taken back; send it again once the store can be written'),
    };
    this.db = new Low<Data>(
      new Observer(checkpointing, () => {
        this.#indexes.clear();
        this.#file?.forgetTexts();
      }),
      emptyData(),
    );
    this.#file = file;
  }

  /**
   * Opens (or creates) the store. An unusable db.json, or one that cannot be written, throws a
   * StartupError and is left untouched.
   */
  static async open(path: string, options: StoreOptions = {}): Promise<Store> {
    const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
    if (path === MEMORY) return new Store(new Memory<Data>(), undefined, warn);
    const file = new JournaledJSONFile(resolve(path), options.io);
    const store = new Store(file, file, warn, options.check);
    await store.db.read();
    file.checkWritable();
    // Only read so far: a second dcr-mock on the same db.json stops here, having changed nothing.
    store.#lock = StoreLock.acquire(file.path);
    for (const line of file.warnings) warn(line);
    store.#dbBytes = store.#estimateBytes();
    // Fold a replayed journal in (or create a missing file) right away; an intact db.json is not rewritten.
    try {
      if (file.needsCheckpoint) await store.#checkpoint('');
    } catch (err) {
      store.#lock.release();
      throw new StartupError(
        `Failed to write the store ${file.path}: ${causeOf(err)}. Check that its folder exists and is writable, or pass --db with another path.`,
        1,
      );
    }
    if (options.watch !== false) {
      store.#watch = new DiskWatch(file.path, () => {
        store.#pickUp().catch((err) => warn(`[dcr-mock] Failed to read ${file.path} again: ${causeOf(err)}.`));
      });
    }
    return store;
  }

  /** Calls `listener` after db.json, changed on disk, was read again: the records are new objects. */
  onReload(listener: () => void): void {
    this.#reloaded.add(listener);
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
    this.#check(collection, record);
    const { meta } = this.db.data;
    const sequence = (meta.appended?.[collection] ?? 0) + 1;
    this.#journal(collection, sequence, record);
    (meta.appended ??= {})[collection] = sequence;
    this.#scheduleCheckpoint();
  }

  /**
   * Puts a record in a collection of dcr-mock's own other than clients (created if missing): replaces
   * the record with the same id where it stands, or appends it. Journaled like `append` (`op: 'put'`):
   * durable on return, replayed after a kill in order, and a replay twice changes nothing, so db.json
   * holds one record per id however often it changes. The record is kept as given: pass a new object
   * for each change, never one changed in place.
   */
  put(collection: string, record: StoredRecord): void {
    this.#check(collection, record);
    const { meta } = this.db.data;
    const sequence = (meta.appended?.[collection] ?? 0) + 1;
    this.#journal(collection, sequence, record, 'put');
    (meta.appended ??= {})[collection] = sequence;
    this.#scheduleCheckpoint();
  }

  /** What a journal replay would refuse is refused before it is written: the store must always open again. */
  #check(collection: string, record: StoredRecord): void {
    if (collection === CLIENTS || !isCollectionName(collection)) {
      throw new TypeError(`collection must be a collection other than clients and meta, not ${collection}`);
    }
    const items = this.db.data[collection];
    if (items !== undefined && !Array.isArray(items)) {
      throw new TypeError(`collection must name an array in db.json; ${collection} is none`);
    }
    if (!isObject(record) || typeof record.id !== 'string') {
      throw new TypeError(`record must be an object with a string id, not ${JSON.stringify(record)}`);
    }
  }

  /** Journals the record, then keeps it in memory: nothing is there that a kill would lose. */
  #journal(collection: string, sequence: number, record: StoredRecord, op: 'add' | 'put' = 'add'): void {
    const { meta } = this.db.data;
    this.#file?.append({ epoch: meta.epoch, collection, op, sequence, record });
    const items = (this.db.data[collection] ??= []) as StoredRecord[];
    const index = this.#index(collection);
    const before = op === 'put' ? index.get(record.id) : undefined;
    // Where json-server left it; not there (it replaced the array since), the record goes at the end.
    const at = before ? items.indexOf(before) : -1;
    if (at === -1) items.push(record);
    else items[at] = record;
    index.set(record.id, record);
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
    if (added > 0) await this.#checkpoint('the clients are kept in memory and written with the next checkpoint');
    return added;
  }

  /** Removes a client; written at once. If db.json cannot be written, the client stays and StorageUnavailable is thrown. */
  async remove(id: string): Promise<boolean> {
    const { clients } = this.db.data;
    const at = clients.findIndex((c) => c.id === id);
    if (at === -1) return false;
    const [client] = clients.splice(at, 1);
    this.#index(CLIENTS).delete(id);
    await this.#checkpoint(UNDONE, () => {
      if (this.has(id) || !client) return;
      this.db.data.clients.splice(Math.min(at, this.db.data.clients.length), 0, client);
      this.#index(CLIENTS).set(id, client);
    });
    return true;
  }

  /**
   * Replaces the stored client with the same id (an RFC 7592 update); written at once, these are rare.
   * If db.json cannot be written, the old client stays and StorageUnavailable is thrown.
   */
  async replace(client: ClientRecord): Promise<boolean> {
    const { clients } = this.db.data;
    const at = clients.findIndex((c) => c.id === client.id);
    const old = clients[at];
    if (!old) return false;
    clients[at] = client;
    this.#index(CLIENTS).set(client.id, client);
    await this.#checkpoint(UNDONE, () => {
      const now = this.db.data.clients;
      const i = now.indexOf(client);
      if (i === -1) return;
      now[i] = old;
      this.#index(CLIENTS).set(old.id, old);
    });
    return true;
  }

  /**
   * Back to `initial` (the fixtures: copies of them) and a rewound sequence, in one write; a new epoch
   * makes any older journal entry void. dcr-mock's own other collections are emptied: `own`, and every
   * one appended or put to since the last reset (as a replay of this reset, after a kill, empties them).
   * json-server's, the user's, are left as they are.
   */
  async reset(initial: readonly ClientRecord[] = [], own: readonly string[] = []): Promise<void> {
    try {
      await this.#reset(initial, own);
    } catch (err) {
      // An edit of db.json, read meanwhile, replaced the data that was reset: it is reset in turn.
      if (!changedOnDisk(err)) throw err;
      await this.#reset(initial, own);
    }
  }

  async #reset(initial: readonly ClientRecord[], own: readonly string[]): Promise<void> {
    const { meta } = this.db.data;
    this.db.data.clients = initial.map((client) => structuredClone(client));
    for (const collection of new Set([...own, ...Object.keys(meta.appended ?? {})])) {
      if (Array.isArray(this.db.data[collection])) this.db.data[collection] = [];
    }
    this.db.data.meta = { sequence: 0, epoch: meta.epoch + 1 };
    this.#indexes.clear();
    await this.#checkpoint('the store is reset in memory, and written with the next checkpoint');
  }

  /** Folds the journal into db.json now, if it holds anything or the last checkpoint failed. */
  async flush(): Promise<void> {
    await this.#file?.settled();
    if (!this.#file?.pending) return;
    try {
      await this.#checkpoint('the journal keeps every client', undefined, false);
    } catch (err) {
      // An edit saved meanwhile was read instead: the journal is folded into that.
      if (!changedOnDisk(err)) throw err;
      if (this.#file.pending && this.#file.refused === undefined) {
        await this.#checkpoint('the journal keeps every client', undefined, false);
      }
    }
  }

  /**
   * Writes everything to db.json. On failure, `undo` takes back the change the caller made, and a
   * StorageUnavailable names the cause and `outcome` (what became of the change). A caller's change
   * (`changed`) that an edit of db.json, read meanwhile, replaced is no change made either.
   */
  async #checkpoint(outcome: string, undo?: () => void, changed = true): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#file) return;
    const name = basename(this.#file.path);
    const data = this.db.data;
    try {
      // An edit that could not be read may have been fixed since the watch last looked.
      if (this.#file.refused !== undefined) await this.#pickUp();
      await this.#file.checkpoint(() => this.db.data);
    } catch (err) {
      if (this.db.data === data) undo?.();
      if (err instanceof ChangedOnDisk) await this.#pickUp();
      throw new StorageUnavailable(name, err, outcome);
    }
    this.#dbBytes = this.#estimateBytes();
    if (changed && this.db.data !== data) throw new StorageUnavailable(name, new ChangedOnDisk(), outcome);
  }

  /**
   * Reads db.json again if someone changed it (see JournaledJSONFile.reloadIfChanged) and says what
   * became of it on stderr: read again, refused (and not written over), or removed.
   */
  async #pickUp(): Promise<void> {
    const file = this.#file;
    if (!file) return;
    const name = basename(file.path);
    const outcome = await file.reloadIfChanged(this.check, (data) => {
      this.db.data = data;
      this.#indexes.clear();
      this.#dbBytes = this.#estimateBytes();
    });
    if (outcome.kind === 'same') return;
    if (outcome.kind === 'missing') {
      this.warn(
        `[dcr-mock] ${name} was removed while dcr-mock ran: the next write puts it back, with the store as it is (POST /__dcr/reset empties the store).`,
      );
      return;
    }
    if (outcome.kind === 'refused') {
      this.warn(
        `[dcr-mock] ${name} was changed on disk and cannot be read: ${outcome.why}. dcr-mock goes on with the store as it was and does not write over ${name} until it can be read; fix it and save it again (the journal keeps every new client meanwhile).`,
      );
      return;
    }
    const kept = outcome.replayed ? ', with the newest entries of its journal' : '';
    this.warn(`[dcr-mock] ${name} was changed on disk: read again (${this.clients.length} clients${kept}).`);
    for (const listener of this.#reloaded) listener();
    if (file.pending) this.#scheduleCheckpoint();
  }

  /**
   * Folds the journal into db.json, once more if that fails; if db.json still cannot be written,
   * throws a StartupError that says so: the journal keeps every client for the next start.
   */
  async close(): Promise<void> {
    this.#watch?.close();
    try {
      await this.flush().catch(() => this.flush());
    } catch (err) {
      const file = this.#file!;
      const fix =
        file.refused === undefined
          ? 'make room or make the folder writable, then start dcr-mock again'
          : `fix ${basename(file.path)}, then start dcr-mock again`;
      throw new StartupError(
        `Failed to write the store ${file.path}: ${causeOf(err)}. The journal (${file.journalPath}) keeps every client, and the next start folds it in; ${fix}.`,
        1,
      );
    } finally {
      this.#file?.close();
      this.#lock?.release();
      this.#lock = undefined;
    }
  }

  #scheduleCheckpoint(): void {
    const file = this.#file;
    // While db.json holds an edit that cannot be read, the journal alone keeps what is new.
    if (!file || file.refused !== undefined) return;
    if (file.journalBytes > Math.max(MIN_CHECKPOINT_BYTES, this.#dbBytes)) {
      void this.flush().catch((err) => this.#reportFailure(err));
      return;
    }
    if (this.#dbBytes > MAX_IDLE_CHECKPOINT_BYTES && file.journalBytes * 8 < this.#dbBytes) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush().catch((err) => this.#reportFailure(err)), IDLE_CHECKPOINT_MS);
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

  /** A failed checkpoint a request did not ask for: the journal still holds every acknowledged record. */
  #reportFailure(err: unknown): void {
    // An edit that cannot be read was reported when it was seen.
    if (this.#file?.refused !== undefined) return;
    this.warn(
      `[dcr-mock] Failed to write ${this.path}: ${causeOf(err)}. The journal keeps every client; the next checkpoint, stop or start folds it in.`,
    );
  }
}

const UNDONE = 'nothing was changed';

/** Whether a write failed because db.json, edited by hand, was read instead. */
const changedOnDisk = (err: unknown) => err instanceof StorageUnavailable && err.cause instanceof ChangedOnDisk;

/** The system's own words for why a write failed. */
function causeOf(err: unknown): string {
  const cause = err instanceof StorageUnavailable ? err.cause : err;
  return (cause as Error)?.message ?? String(cause);
}
