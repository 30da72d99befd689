import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StartupError } from '../errors.js';

interface Holder {
  pid: number;
  host: string;
  started: string;
}

/** The locks this process holds, by path: a lock of this pid that is not here was left by a store that never closed. */
const held = new Set<string>();

/**
 * `db.json.lock` beside the store, holding `{pid, host, started}` of the dcr-mock that has it open.
 * Why: two processes appending to one journal and replacing one db.json lose each other's clients.
 * A lock is made whole or not at all (written to a file of its own, then linked into place); one
 * whose process is gone (a kill) is stale and taken over.
 */
export class StoreLock {
  readonly #text: string;

  private constructor(
    readonly path: string,
    holder: Holder,
  ) {
    this.#text = JSON.stringify(holder);
  }

  /** Takes the lock of `store` (db.json's path), or throws a StartupError naming the process that has it. */
  static acquire(store: string): StoreLock {
    const lock = new StoreLock(`${store}.lock`, {
      pid: process.pid,
      host: hostname(),
      started: new Date().toISOString(),
    });
    // Twice at most: a stale lock taken over by another process at the same moment is that process's.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (lock.#create()) {
        held.add(lock.path);
        return lock;
      }
      const seen = readText(lock.path);
      if (seen === undefined) continue;
      const holder = parse(seen);
      if (holder && isAlive(holder, lock.path)) {
        const who = holder.pid === process.pid ? 'this process' : `dcr-mock (pid ${holder.pid} on ${holder.host})`;
        throw new StartupError(
          `Failed to open the store ${store}: ${who} has it open since ${holder.started} (${lock.path}). Stop it first, or pass --db with another path; if no such process runs, remove ${lock.path}.`,
          1,
        );
      }
      // Stale: the process that wrote it is gone. Removed only if it is still the one seen.
      if (readText(lock.path) === seen) unlinkSync(lock.path);
    }
    throw new StartupError(
      `Failed to open the store ${store}: another process took ${lock.path} at the same moment. Start one dcr-mock per db.json, or pass --db with another path.`,
      1,
    );
  }

  /** Gives the lock up, if it is still this process's. One that cannot be removed is stale once this process ends. */
  release(): void {
    held.delete(this.path);
    try {
      if (readText(this.path) === this.#text) unlinkSync(this.path);
    } catch {
      // Taken over at the next start.
    }
  }

  /** True if the lock file was made, with this process's text in it. */
  #create(): boolean {
    const mine = `${this.path}.${process.pid}`;
    writeFileSync(mine, this.#text);
    try {
      linkSync(mine, this.path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(mine);
    }
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parse(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.started === 'string'
      ? (value as Holder)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's process still runs. On another host that cannot be known: it counts as running. */
function isAlive(holder: Holder, path: string): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return held.has(path);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
