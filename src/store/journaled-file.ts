import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { StartupError, StorageUnavailable } from '../errors.js';
import { isObject } from '../is-object.js';
import { DbText, writeInSlices } from './db-text.js';
import { type Identity, identityAt, identityOf, sameIdentity } from './disk-watch.js';
import { encodeEntry } from './journal-line.js';
import { Unusable, parseDb, replayJournal } from './replay.js';
import { type Data, type JournalEntry, type Meta, toData } from './shape.js';

/** The calls through which the journal reaches the disk; a test puts failing ones in place to play a full disk. */
export interface StoreIo {
  readonly open: (path: string, flags: string) => number;
  /** Writes from `offset` to the end of `buffer`; returns how many bytes it wrote. */
  readonly write: (fd: number, buffer: Buffer, offset: number) => number;
  readonly truncate: (fd: number, length: number) => void;
}

/** What reading db.json again found: the same file, a new one read (`accept` was given it), one that cannot be read, none. */
export type Reload =
  | { readonly kind: 'same' }
  | { readonly kind: 'reloaded'; readonly replayed: boolean }
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'missing' };

/** A checkpoint found db.json changed by someone else since it was read or written, and left it as it is. */
export class ChangedOnDisk extends Error {
  constructor() {
    super('it was changed on disk meanwhile, and is read again');
  }
}

export const NODE_IO: StoreIo = {
  open: (path, flags) => openSync(path, flags),
  write: (fd, buffer, offset) => writeSync(fd, buffer, offset),
  truncate: (fd, length) => ftruncateSync(fd, length),
};

/**
 * A lowdb adapter for db.json with an append-only journal beside it (`db.json.journal`).
 *
 * Why: rewriting the whole file for every registration costs time in proportion to the number of
 * stored clients. A record added (a registration, or one of another collection) or put (one that
 * replaces the record of its id) is instead appended to the journal with one synchronous write
 * before it is acknowledged, so a SIGKILL right after the 201 loses nothing. `write()` — lowdb's own
 * full write, used for checkpoints — rotates the journal, writes db.json atomically (temp file +
 * rename) and then drops the rotated journal. `read()` replays
 * what the journal holds beyond db.json's counts (`meta.sequence` for clients, `meta.appended` for
 * the others) in the same `meta.epoch`, so a crash between the two steps replays nothing twice; an
 * entry of a later epoch was appended after a reset that had not reached db.json yet, so the reset
 * is replayed first. A checkpoint never replaces a db.json that is no longer the version it last read
 * or wrote (someone edited it by hand): `reloadIfChanged` reads that edit instead.
 */
export class JournaledJSONFile implements Adapter<Data> {
  readonly journalPath: string;
  readonly #rotatedPath: string;
  readonly #tempPath: string;
  readonly #text: TextFile;
  readonly #db = new DbText();
  #fd: number | undefined;
  /** The journal's length up to its last whole entry. */
  #size = 0;
  /** Set when a failed append could not be cut back: the journal must be, before anything else goes in. */
  #torn = false;
  #journalBytes = 0;
  #failed = false;
  #chain: Promise<void> = Promise.resolve();
  /** Set by read(): whether db.json must be written for it to hold what was read (missing file, replayed journal). */
  needsCheckpoint = false;
  /** Set by read(): what it dropped (a last line cut short), one line each, for the person who started dcr-mock. */
  readonly warnings: string[] = [];
  /** db.json as this store last read or wrote it: another version on disk is someone else's edit. */
  #disk: Identity | undefined;
  /** The `meta` that version holds: an edit that drops it keeps it. */
  #diskMeta: Meta | undefined;
  /** Why db.json, as changed on disk, cannot be read: until it can, it is not written over. */
  #refused: string | undefined;

  constructor(
    readonly path: string,
    readonly io: StoreIo = NODE_IO,
  ) {
    this.journalPath = `${path}.journal`;
    this.#rotatedPath = `${path}.journal.old`;
    // Where db.json's next version is written before it is renamed (where lowdb's own writer puts it).
    this.#tempPath = join(dirname(path), `.${basename(path)}.tmp`);
    this.#text = new TextFile(path);
  }

  /** Whether a journal (current or rotated) is on disk: db.json alone is then not the whole store. */
  hasJournal(): boolean {
    return existsSync(this.journalPath) || existsSync(this.#rotatedPath);
  }

  /** Bytes appended since the last checkpoint. */
  get journalBytes(): number {
    return this.#journalBytes;
  }

  /** Whether db.json lacks something: entries appended since the last checkpoint, or a checkpoint that failed. */
  get pending(): boolean {
    return this.#journalBytes > 0 || this.#failed;
  }

  /** Why db.json, changed on disk, cannot be read and is not written over; undefined when it can be. */
  get refused(): string | undefined {
    return this.#refused;
  }

  /** Reads db.json and replays the journal. Never writes: a file it cannot use is left as it is. */
  async read(): Promise<Data | null> {
    let text: string | null;
    let seen: Identity | undefined;
    try {
      seen = identityAt(this.path);
      text = await this.#text.read();
    } catch (err) {
      throw new Unusable(this.path, (err as Error).message);
    }
    // undefined: no db.json. A file holding `null` is not a missing one, and toData refuses it.
    const parsed = text === null ? undefined : parseDb(this.path, text);
    this.needsCheckpoint = parsed === undefined;
    if (parsed === undefined && !existsSync(this.#rotatedPath) && !existsSync(this.journalPath)) return null;
    const data = parsed === undefined ? toData({}) : toData(parsed);
    if (typeof data === 'string') throw new Unusable(this.path, data);
    this.#disk = seen;
    this.#diskMeta = structuredClone(data.meta);
    if (this.#replayJournals(data)) this.needsCheckpoint = true;
    return data;
  }

  /**
   * Reads db.json again if it is no longer the version this store last read or wrote: someone edited
   * it. The new version, with the journal's entries it lacks replayed over it, is handed to `accept`
   * in the same turn as the journal is read, so that no entry appended meanwhile is missed. A version
   * that cannot be read (or that `check` refuses) is not written over until one that can be replaces it.
   * Waits for the checkpoints asked for before, and holds back those asked for after.
   */
  reloadIfChanged(check: (data: Data) => string | undefined, accept: (data: Data) => void): Promise<Reload> {
    const run = this.#chain.then(() => this.#reload(check, accept));
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #reload(check: (data: Data) => string | undefined, accept: (data: Data) => void): Promise<Reload> {
    let seen: Identity | undefined;
    let text: string;
    try {
      seen = identityAt(this.path);
      if (sameIdentity(seen, this.#disk)) return { kind: 'same' };
      if (seen === undefined) {
        this.#disk = undefined;
        this.#refused = undefined;
        return { kind: 'missing' };
      }
      text = await readFile(this.path, 'utf8');
      // Written to while it was read: the next look reads it whole.
      if (!sameIdentity(identityAt(this.path), seen)) return { kind: 'same' };
    } catch (err) {
      return this.#refuse(seen, (err as Error).message);
    }
    try {
      const parsed = parseDb(this.path, text);
      // An edit that drops meta keeps the counts db.json had, so that the journal replays as it would have.
      if (isObject(parsed) && parsed['meta'] === undefined && this.#diskMeta) {
        parsed['meta'] = structuredClone(this.#diskMeta);
      }
      const data = toData(parsed);
      if (typeof data === 'string') return this.#refuse(seen, data);
      const meta = structuredClone(data.meta);
      const replayed = this.#replayJournals(data);
      const problem = check(data);
      if (problem) return this.#refuse(seen, problem);
      this.#disk = seen;
      this.#diskMeta = meta;
      this.#refused = undefined;
      this.#db.forget();
      accept(data);
      return { kind: 'reloaded', replayed };
    } catch (err) {
      if (!(err instanceof Unusable)) throw err;
      return this.#refuse(seen, err.file === this.path ? err.why : `${basename(err.file)}: ${err.why}`);
    }
  }

  #refuse(seen: Identity | undefined, why: string): Reload {
    this.#disk = seen;
    this.#refused = why;
    return { kind: 'refused', why };
  }

  #replayJournals(data: Data): boolean {
    let replayed = false;
    for (const file of [this.#rotatedPath, this.journalPath]) {
      if (replayJournal(file, data, this.warnings)) replayed = true;
    }
    return replayed;
  }

  /**
   * Finds at start what would make the first write fail (db.json, its journal or their folder that
   * cannot be written), rather than at the first registration. Touches no file's content.
   */
  checkWritable(): void {
    for (const [file, flags] of [
      [this.path, 'r+'],
      [this.journalPath, 'r+'],
      [this.#tempPath, 'w'],
    ] as const) {
      if (flags === 'r+' && !existsSync(file)) continue;
      try {
        closeSync(this.io.open(file, flags));
      } catch (err) {
        const which = file === this.path ? 'it' : file === this.journalPath ? 'its journal' : 'its folder';
        throw new StartupError(
          `Failed to open the store ${this.path}: ${which} cannot be written (${(err as Error).message}). Make it writable, or pass --db with another path.`,
          1,
        );
      }
    }
    unlinkSync(this.#tempPath);
  }

  /**
   * Appends one entry durably (as far as a killed process goes) before it is acknowledged. A write
   * that fails part-way is cut back, so that the next entry never follows a torn one; if it cannot
   * be, nothing more is appended until it is. Throws StorageUnavailable, having stored nothing.
   */
  append(entry: JournalEntry): void {
    const line = encodeEntry(entry);
    const fd = this.#open();
    let written = 0;
    try {
      // A regular file takes the whole line in one write; the loop only guards against a short one.
      while (written < line.length) written += this.io.write(fd, line, written);
    } catch (err) {
      if (written > 0) this.#cutBack(fd);
      this.close();
      throw new StorageUnavailable(basename(this.journalPath), err, 'nothing was stored');
    }
    this.#size += line.length;
    this.#journalBytes += line.length;
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    let fd: number | undefined;
    try {
      fd = this.io.open(this.journalPath, 'a');
      const size = fstatSync(fd).size;
      if (this.#torn && size > this.#size) this.io.truncate(fd, this.#size);
      else this.#size = size;
      this.#torn = false;
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      throw new StorageUnavailable(basename(this.journalPath), err, 'nothing was stored');
    }
    return (this.#fd = fd);
  }

  #cutBack(fd: number): void {
    try {
      this.io.truncate(fd, this.#size);
    } catch {
      this.#torn = true;
    }
  }

  /** A checkpoint: everything in `data` reaches db.json, then the journal it supersedes is dropped. */
  write(data: Data): Promise<void> {
    return this.checkpoint(() => data);
  }

  /** A checkpoint of the data `current` gives once the checkpoints and reloads asked for before are done. */
  checkpoint(current: () => Data): Promise<void> {
    const run = this.#chain.then(() => this.#checkpoint(current));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Drops every record's kept text: json-server changed records in place (its writes do). */
  forgetTexts(): void {
    this.#db.forget();
  }

  /** Resolves once every checkpoint asked for so far has finished. */
  settled(): Promise<void> {
    return this.#chain;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  async #checkpoint(current: () => Data): Promise<void> {
    try {
      if (this.#refused !== undefined) {
        throw new Error(
          `it was changed on disk and cannot be read (${this.#refused}); dcr-mock does not write over it`,
        );
      }
      this.#rotate();
      // Taken now, so it holds every entry appended before the rotation and none after.
      const data = current();
      const snapshot = this.#db.snapshot(data);
      const meta = structuredClone(data.meta);
      // An edit saved since the last read or write is not written over: it is read, and the journal replayed over it.
      const unchanged = () => {
        if (!sameIdentity(identityAt(this.path), this.#disk)) throw new ChangedOnDisk();
      };
      const written = await writeInSlices(this.path, this.#tempPath, this.#db.pieces(snapshot), unchanged);
      this.#disk = identityOf(written);
      this.#diskMeta = meta;
      if (existsSync(this.#rotatedPath)) unlinkSync(this.#rotatedPath);
      this.#failed = false;
    } catch (err) {
      this.#failed = true;
      throw err;
    }
  }

  #rotate(): void {
    this.close();
    this.#journalBytes = 0;
    // A torn tail goes with the journal it ends; the next one starts empty.
    this.#size = 0;
    this.#torn = false;
    if (!existsSync(this.journalPath)) return;
    if (existsSync(this.#rotatedPath)) {
      // A previous checkpoint failed after rotating: keep both journals' entries, less a last line
      // that a kill cut short (never acknowledged), which would otherwise run into the next one.
      const rotated = readFileSync(this.#rotatedPath);
      const whole = rotated.lastIndexOf(0x0a) + 1;
      if (whole < rotated.length) truncateSync(this.#rotatedPath, whole);
      appendFileSync(this.#rotatedPath, readFileSync(this.journalPath));
      unlinkSync(this.journalPath);
    } else {
      renameSync(this.journalPath, this.#rotatedPath);
    }
  }
}
