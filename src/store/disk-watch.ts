import { type BigIntStats, type FSWatcher, statSync, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

/** How long a change must be quiet before it is looked at: an editor may save in more than one step. */
const SETTLE_MS = 100;
/** Where the folder cannot be watched (no inotify left, some network or container mounts): a stat this often. */
const POLL_MS = 1000;

/**
 * Which version of a file is on disk: its inode, size and modification time. A save that renames a
 * new file into place changes the inode; one that writes in place changes the time. The rename that
 * puts the store's own checkpoint in place changes neither (the time is the temp file's).
 */
export interface Identity {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
}

export const identityOf = (stat: BigIntStats): Identity => ({ ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs });

/** The identity of the file at `path` now, or undefined if there is none. */
export function identityAt(path: string): Identity | undefined {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stat && identityOf(stat);
}

export const sameIdentity = (a: Identity | undefined, b: Identity | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs);

/**
 * Calls `onChange` once a file may have changed and has been quiet for SETTLE_MS. Watches the
 * folder, not the file: a save that renames a new file into place would end a watch on the old one.
 * Never keeps the process alive. What changed, if anything, is for `onChange` to find out.
 */
export class DiskWatch {
  readonly #name: string;
  #watcher: FSWatcher | undefined;
  #polling = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly path: string,
    readonly onChange: () => void,
  ) {
    this.#name = basename(path);
    try {
      this.#watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name === null || name === this.#name) this.#settle();
      });
      this.#watcher.on('error', () => this.#poll());
    } catch {
      this.#poll();
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    if (this.#polling) unwatchFile(this.path);
  }

  #poll(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    watchFile(this.path, { persistent: false, interval: POLL_MS }, () => this.#settle());
  }

  #settle(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.onChange(), SETTLE_MS);
    this.#timer.unref();
  }
}
