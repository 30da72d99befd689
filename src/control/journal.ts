import { isoTime } from '../iso-time.js';
import type { RequestRecord } from '../log.js';

/** One journaled request, as `GET /__dcr/requests` and the inspector show it. */
export interface JournalEntry {
  id: number;
  /** ISO 8601, as the clock gave it when the request was answered. */
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  failure?: string | undefined;
  body?: unknown;
  client_id?: string;
}

export const JOURNAL_SIZE = 1000;
const MAX_BODY_CHARS = 4096;

/**
 * A request as kept: one small object holding primitives and the body's text (already in memory),
 * so that each request leaves little for the garbage collector to carry: every entry outlives a
 * young-generation collection and is cleared from the old generation later.
 */
interface Kept extends RequestRecord {
  readonly id: number;
  readonly text: string | undefined;
  readonly clientId: string | undefined;
}

/** The last JOURNAL_SIZE requests, in memory: a ring, so its cost never grows. */
export class RequestJournal {
  #entries: Kept[] = [];
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {}

  /** `text` is the request body as received. */
  record(record: RequestRecord, text: string | undefined, clientId?: string): void {
    const { at, method, path, status, ms, failure } = record;
    // Written out, not spread: a spread followed by more fields gives each object a hidden class of its own.
    this.#entries.push({ id: this.#nextId++, at, method, path, status, ms, failure, text, clientId });
    if (this.#entries.length > this.size * 2) this.#entries = this.#entries.slice(-this.size);
  }

  /** Newest first; the time written out and the body parsed only now. */
  list(limit = this.size): JournalEntry[] {
    const newest = this.#entries.slice(-Math.min(limit, this.size));
    return newest.reverse().map(toEntry);
  }

  clear(): void {
    this.#entries = [];
  }
}

function toEntry({ id, at, method, path, status, ms, failure, text, clientId }: Kept): JournalEntry {
  const entry: JournalEntry = { id, time: isoTime(new Date(at)), method, path, status, ms, failure };
  if (text !== undefined) entry.body = shownBody(text);
  if (clientId !== undefined) entry.client_id = clientId;
  return entry;
}

/** A body as the journal shows it: parsed when it is JSON, its text when not, cut (as text) past MAX_BODY_CHARS. */
function shownBody(text: string): unknown {
  if (text.length > MAX_BODY_CHARS) return `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
