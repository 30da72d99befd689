import type { RequestRecord } from '../log.js';

/** One journaled request, as `GET /__dcr/requests` and the inspector show it. */
export interface JournalEntry extends RequestRecord {
  id: number;
  body?: unknown;
  client_id?: string;
}

export const JOURNAL_SIZE = 1000;
const MAX_BODY_CHARS = 4096;

/** The last JOURNAL_SIZE requests, in memory: a ring, so its cost never grows. */
export class RequestJournal {
  #entries: JournalEntry[] = [];
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {}

  /** `text` is the body as received, `parsed` the same when it is JSON. */
  record(record: RequestRecord, text: string | undefined, parsed: unknown, clientId?: string): void {
    const entry: JournalEntry = { id: this.#nextId++, ...record };
    if (text !== undefined) entry.body = shownBody(text, parsed);
    if (clientId !== undefined) entry.client_id = clientId;
    this.#entries.push(entry);
    if (this.#entries.length > this.size * 2) this.#entries = this.#entries.slice(-this.size);
  }

  /** Newest first. */
  list(limit = this.size): JournalEntry[] {
    const newest = this.#entries.slice(-Math.min(limit, this.size));
    return newest.reverse();
  }

  clear(): void {
    this.#entries = [];
  }
}

/**
 * A body as the journal shows it: parsed when it is JSON, its text when not, cut (as text) past
 * MAX_BODY_CHARS. Bounded by the text as received, so no body is serialized again on the way in.
 */
function shownBody(text: string, parsed: unknown): unknown {
  if (text.length > MAX_BODY_CHARS) return `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`;
  return parsed === undefined ? text : parsed;
}
