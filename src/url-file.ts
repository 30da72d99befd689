import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { StartupError } from './errors.js';

/**
 * The file `--url-file` names: the base URL and a newline, there only while the server listens, so that
 * a script can start dcr-mock in the background and wait for the file instead of reading its stdout.
 */
export class UrlFile {
  constructor(readonly path: string) {}

  /** Removes a file left by an earlier run (a kill), so that nobody waiting for the file reads a dead URL. */
  clear(): void {
    try {
      rmSync(this.path, { force: true });
    } catch (err) {
      throw this.#failure('remove the old', err);
    }
  }

  /** Written to a temporary name, then renamed: whoever sees the file sees all of it. */
  write(url: string): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, `${url}\n`);
      renameSync(temporary, this.path);
    } catch (err) {
      rmSync(temporary, { force: true });
      throw this.#failure('write the', err);
    }
  }

  /** Never throws: a stop goes on whatever happened to the file. */
  remove(): void {
    try {
      rmSync(this.path, { force: true });
    } catch {
      // Removed by someone else, or its folder is gone: either way it is not left behind by us.
    }
  }

  #failure(what: string, err: unknown): StartupError {
    const why = (err as Error)?.message ?? String(err);
    return new StartupError(
      `Failed to ${what} URL file ${this.path}: ${why}. Choose a --url-file in a folder that exists and can be written.`,
      1,
      { cause: err },
    );
  }
}
