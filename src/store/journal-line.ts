import { crc32 } from 'node:zlib';
import { type JournalEntry, toJournalEntry } from './shape.js';

/**
 * A journal line is one JSON object whose first field is a CRC-32 of the rest of the line:
 * `{"crc":"1a2b3c4d","epoch":0,"collection":"clients",…}`. Why: a write cut short leaves a line
 * without its newline (the last one, never acknowledged); the checksum tells a whole line damaged in
 * place from a good one for certain. Lines without the field (journals of earlier versions, or written
 * by hand) are read as they are.
 */
const PREFIX = '{"crc":"';
const CRC_END = PREFIX.length + 8;
const hex = (n: number) => n.toString(16).padStart(8, '0');

export function encodeEntry(entry: JournalEntry): Buffer {
  const rest = JSON.stringify(entry).slice(1);
  return Buffer.from(`${PREFIX}${hex(crc32(rest))}",${rest}\n`);
}

/** The entry a journal line holds, or why it holds none. */
export function decodeLine(line: string): JournalEntry | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'it is not JSON';
  }
  if (line.startsWith(PREFIX)) {
    const rest = line.slice(CRC_END + 2);
    if (line.slice(CRC_END, CRC_END + 2) !== '",' || hex(crc32(rest)) !== line.slice(PREFIX.length, CRC_END)) {
      return 'its checksum does not match: it was changed after it was written';
    }
    delete (parsed as Record<string, unknown>)['crc'];
  }
  return toJournalEntry(parsed) ?? 'it is no {epoch, collection, op, sequence, record} object';
}
