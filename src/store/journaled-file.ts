import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { StartupError } from '../errors.js';
import { type Data, type JournalEntry, applyEntry, mendClientIds, toData, toJournalEntry } from './shape.js';

/**
 * A lowdb adapter for db.json with an append-only journal beside it (`db.json.journal`).
 *
 * Why: rewriting the whole file for every registration costs time in proportion to the number of
 * stored clients. A record added (a registration, or one of another collection) is instead appended
 * to the journal with one synchronous write before it is acknowledged, so a SIGKILL right after the
 * 201 loses nothing. `write()` — lowdb's own full write, used for checkpoints and by json-server —
 * rotates the journal, writes db.json atomically (temp file + rename) and then drops the rotated
 * journal. `read()` replays what the journal holds beyond db.json's counts (`meta.sequence` for
 * clients, `meta.appended` for the others) in the same `meta.epoch`, so a crash between the two steps
 * replays nothing twice; an entry of a later epoch was appended after a reset that had not reached
 * db.json yet, so the reset is replayed first.
 */
export class JournaledJSONFile implements Adapter<Data> {
  readonly journalPath: string;
  readonly #rotatedPath: string;
  readonly #text: TextFile;
  #fd: number | undefined;
  #journalBytes = 0;
  #chain: Promise<void> = Promise.resolve();
  /** Set by read(): whether db.json must be written for it to hold what was read (missing file, replayed journal). */
  needsCheckpoint = false;

  constructor(readonly path: string) {
    this.journalPath = `${path}.journal`;
    this.#rotatedPath = `${path}.journal.old`;
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

  /** Reads db.json and replays the journal. Never writes: a file it cannot use is left as it is. */
  async read(): Promise<Data | null> {
    let text: string | null;
    try {
      text = await this.#text.read();
    } catch (err) {
      throw this.#unusable(this.path, (err as Error).message);
    }
    // undefined: no db.json. A file holding `null` is not a missing one, and toData refuses it.
    const parsed = text === null ? undefined : this.#parse(this.path, text);
    this.needsCheckpoint = parsed === undefined;
    if (parsed === undefined && !existsSync(this.#rotatedPath) && !existsSync(this.journalPath)) return null;
    const data = parsed === undefined ? toData({}) : toData(parsed);
    if (typeof data === 'string') throw this.#unusable(this.path, data);
    for (const file of [this.#rotatedPath, this.journalPath]) {
      if (this.#replay(file, data) > 0) this.needsCheckpoint = true;
    }
    return data;
  }

  /** Appends one entry durably (as far as a killed process goes) before it is acknowledged. */
  append(entry: JournalEntry): void {
    this.#fd ??= openSync(this.journalPath, 'a');
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    // A regular file takes the whole line in one write; the loop only guards against a short one.
    for (let written = 0; written < line.length; ) written += writeSync(this.#fd, line, written);
    this.#journalBytes += line.length;
  }

  /** A checkpoint: everything in `data` reaches db.json, then the journal it supersedes is dropped. */
  write(data: Data): Promise<void> {
    const run = this.#chain.then(() => this.#checkpoint(data));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every checkpoint asked for so far has finished. */
  settled(): Promise<void> {
    return this.#chain;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  async #checkpoint(data: Data): Promise<void> {
    this.#rotate();
    mendClientIds(data.clients);
    // Serialised now, so it holds every entry appended before the rotation.
    await this.#text.write(JSON.stringify(data, null, 2));
    if (existsSync(this.#rotatedPath)) unlinkSync(this.#rotatedPath);
  }

  #rotate(): void {
    this.close();
    this.#journalBytes = 0;
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

  /** Applies a journal file's entries that db.json lacks; returns how many lines the file held. */
  #replay(file: string, data: Data): number {
    let text: string;
    try {
      if (!existsSync(file)) return 0;
      if (statSync(file).isDirectory()) throw new Error('it is a directory');
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw this.#unusable(file, (err as Error).message);
    }
    const lines = text.split('\n');
    // A last line without its newline was cut by a kill mid-write; it was never acknowledged.
    if (!text.endsWith('\n')) lines.pop();
    const known = new Map<string, Set<string>>();
    for (const [i, line] of lines.entries()) {
      if (line === '') continue;
      let entry: JournalEntry | undefined;
      try {
        entry = toJournalEntry(JSON.parse(line));
      } catch {
        entry = undefined;
      }
      if (!entry) throw this.#unusable(file, `line ${i + 1} is not a journal entry`);
      const problem = applyEntry(data, entry, known);
      if (problem) throw this.#unusable(file, `line ${i + 1} cannot be replayed: ${problem}`);
    }
    return lines.length;
  }

  #parse(file: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw this.#unusable(file, `it is not valid JSON (${(err as Error).message})`);
    }
  }

  #unusable(file: string, why: string): StartupError {
    return new StartupError(
      `Failed to open the store ${file}: ${why}. dcr-mock left it untouched; fix it, move it away, or pass --db with another path.`,
      1,
    );
  }
}
