import { resolve } from 'node:path';
import { Low, Memory } from 'lowdb';
import { StartupError } from '../errors.js';
import { JournaledJSONFile } from './journaled-file.js';
import { type ClientRecord, type Data, emptyData } from './shape.js';

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
 * `add` is synchronous and durable: when it returns, the client survives a kill.
 */
export class Store {
  readonly #file: JournaledJSONFile | undefined;
  #byId = new Map<string, ClientRecord>();
  #timer: NodeJS.Timeout | undefined;
  #dbBytes = 0;
  readonly #write: () => Promise<void>;

  private constructor(
    readonly db: Low<Data>,
    file: JournaledJSONFile | undefined,
  ) {
    this.#file = file;
    this.#reindex();
    // json-server changes the clients array itself, then calls db.write(): re-index after its writes.
    this.#write = db.write.bind(db);
    db.write = async () => {
      await this.#write();
      this.#reindex();
    };
    this.#dbBytes = this.#estimateBytes();
  }

  /** Opens (or creates) the store. An unusable db.json throws a StartupError and is left untouched. */
  static async open(path: string): Promise<Store> {
    if (path === MEMORY) {
      const db = new Low<Data>(new Memory<Data>(), emptyData());
      return new Store(db, undefined);
    }
    const file = new JournaledJSONFile(resolve(path));
    const db = new Low<Data>(file, emptyData());
    await db.read();
    const store = new Store(db, file);
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
    return this.#byId.has(id);
  }

  get(id: string): ClientRecord | undefined {
    return this.#byId.get(id);
  }

  /** Stores the `sequence`-th registration. Durable on return. */
  add(client: ClientRecord, sequence: number): void {
    const { meta } = this.db.data;
    this.#file?.append({ epoch: meta.epoch, sequence, client });
    this.db.data.clients.push(client);
    this.#byId.set(client.id, client);
    meta.sequence = Math.max(meta.sequence, sequence);
    this.#scheduleCheckpoint();
  }

  /**
   * Adds clients that must not advance the sequence (fixtures), skipping any id already stored, so
   * loading the same ones again adds nothing and never overwrites. Written at once. Returns how many were added.
   */
  async preload(clients: readonly ClientRecord[]): Promise<number> {
    let added = 0;
    for (const client of clients) {
      if (this.#byId.has(client.id)) continue;
      // A copy: the caller keeps the originals to reset to, and what is stored is open to edits over REST.
      const copy = structuredClone(client);
      this.db.data.clients.push(copy);
      this.#byId.set(copy.id, copy);
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
    this.#byId.delete(id);
    await this.#checkpoint();
    return true;
  }

  /** Replaces the stored client with the same id (an RFC 7592 update); written at once, these are rare. */
  async replace(client: ClientRecord): Promise<boolean> {
    const { clients } = this.db.data;
    const at = clients.findIndex((c) => c.id === client.id);
    if (at === -1) return false;
    clients[at] = client;
    this.#byId.set(client.id, client);
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
    this.#reindex();
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
    await this.#write();
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

  #reindex(): void {
    const byId = new Map<string, ClientRecord>();
    for (const c of this.db.data.clients) if (c && typeof c.id === 'string') byId.set(c.id, c);
    this.#byId = byId;
  }
}

function reportCheckpointFailure(err: unknown): void {
  // The journal still holds every acknowledged client; the next checkpoint or restart folds it in.
  console.error(`[dcr-mock] Failed to write db.json: ${(err as Error).message}. The journal keeps every client.`);
}
