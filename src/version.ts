import { readFileSync } from 'node:fs';
import { DIST_DIR } from './dist-dir.js';

/** dcr-mock's version, from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', DIST_DIR), 'utf8')) as { version: string }
).version;
