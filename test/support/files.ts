import { existsSync, readFileSync } from 'node:fs';

/** A file's bytes, or null when it does not exist: enough to tell whether anything wrote to it. */
export function readBytes(path: string): Buffer | null {
  return existsSync(path) ? readFileSync(path) : null;
}
