import { existsSync, readFileSync, statSync } from 'node:fs';
import { StartupError } from '../errors.js';
import { decodeLine } from './journal-line.js';
import { type Data, type Positions, applyEntry } from './shape.js';

/** A store file that cannot be used: at start, a StartupError; while running, a version that is not read. */
export class Unusable extends StartupError {
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(
      `Failed to open the store ${file}: ${why}. dcr-mock left it untouched; fix it, move it away, or pass --db with another path.`,
      1,
    );
  }
}

/** db.json's text parsed, or Unusable. */
export function parseDb(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Unusable(file, `it is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Applies a journal file's entries that db.json lacks; returns whether the file held anything
 * (then db.json is to be written, and the journal dropped). A last line without its newline was
 * cut short by a stop in the middle of its write: it was never acknowledged, and is dropped with a
 * line in `warnings`. Any other line that holds no entry is damage: Unusable, naming the line.
 */
export function replayJournal(file: string, data: Data, warnings: string[]): boolean {
  let text: string;
  try {
    if (!existsSync(file)) return false;
    if (statSync(file).isDirectory()) throw new Error('it is a directory');
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Unusable(file, (err as Error).message);
  }
  const lines = text.split('\n');
  const torn = lines.pop() ?? '';
  const known: Positions = new Map();
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    const entry = decodeLine(line);
    if (typeof entry === 'string') throw new Unusable(file, `line ${i + 1} is not a journal entry (${entry})`);
    const problem = applyEntry(data, entry, known);
    if (problem) throw new Unusable(file, `line ${i + 1} cannot be replayed: ${problem}`);
  }
  if (torn !== '') {
    warnings.push(
      `[dcr-mock] Warning: ${file} ends in an entry cut short mid-write (line ${lines.length + 1}, ${Buffer.byteLength(torn)} bytes): it was never acknowledged, and is dropped.`,
    );
  }
  return text !== '';
}
