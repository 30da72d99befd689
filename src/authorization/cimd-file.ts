import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StartupError } from '../errors.js';
import { isObject } from '../is-object.js';
import { show } from '../show.js';
import { CimdError, checkDocumentUrl, toCimdClient } from './cimd.js';

/**
 * The Client ID Metadata Documents to preload: the `cimd` array of the fixtures file (when `fixtures`
 * names a file holding an object), then `own`. Each is checked when the server starts.
 */
export function loadCimdDocuments(fixtures: unknown, own: unknown): Record<string, unknown>[] {
  const fromFile: unknown[] = [];
  if (typeof fixtures === 'string' && fixtures !== '') {
    try {
      const parsed: unknown = JSON.parse(readFileSync(resolve(fixtures), 'utf8'));
      if (isObject(parsed) && Array.isArray(parsed['cimd'])) fromFile.push(...parsed['cimd']);
    } catch {
      // The fixtures option says what is wrong with the file.
    }
  }
  const given = own === undefined ? [] : own;
  if (!Array.isArray(given)) {
    throw new StartupError(
      `Failed to read the options: cimdDocuments must be an array of documents, got ${show(given)}.`,
      2,
    );
  }
  const all = [...fromFile, ...given];
  for (const [i, document] of all.entries()) {
    const fail = (why: string) =>
      new StartupError(`Failed to load the documents: cimd[${i}]: ${why}. Fix that document.`, 2);
    if (!isObject(document)) throw fail(`it must be an object, got ${show(document)}`);
    const url = typeof document['client_id'] === 'string' ? document['client_id'] : '';
    try {
      checkDocumentUrl(url);
      toCimdClient(document, url, 'fixture');
    } catch (err) {
      if (err instanceof CimdError) throw fail(err.description);
      throw err;
    }
  }
  return all as Record<string, unknown>[];
}
