import type { RequestRecord } from '../log.js';

/** One journaled request, as `GET /__dcr/requests` and the inspector show it. */
export interface JournalEntry extends Omit<RequestRecord, 'at'> {
  id: number;
  /** ISO 8601, as the clock gave it when the request was answered. */
  time: string;
  body?: unknown;
  client_id?: string;
}

export const JOURNAL_SIZE = 1000;
const MAX_BODY_CHARS = 4096;

/** A request as kept: what was known when it was answered, and the body's text (already in memory). */
interface Kept extends RequestRecord {
  readonly id: number;
  readonly text: string | undefined;
  readonly clientId: string | undefined;
}

/** The last `size` requests, in memory, in a ring: the oldest is written over. */
export class RequestJournal {
  #kept: Kept[] = [];
  #next = 0;
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {}

  /** `text` is the request body as received. */
  record(record: RequestRecord, text: string | undefined, clientId?: string): void {
    const { at, method, path, status, ms, failure } = record;
    this.#kept[this.#next] = { id: this.#nextId++, at, method, path, status, ms, failure, text, clientId };
    this.#next = (this.#next + 1) % this.size;
  }

  /** Newest first; the time written out and the body parsed only now. */
  list(limit = this.size): JournalEntry[] {
    const entries: JournalEntry[] = [];
    const count = Math.min(limit, this.#kept.length);
    for (let back = 1; back <= count; back++) {
      entries.push(toEntry(this.#kept[(this.#next - back + this.size) % this.size]!));
    }
    return entries;
  }

  clear(): void {
    this.#kept = [];
    this.#next = 0;
  }
}

function toEntry({ id, at, method, path, status, ms, failure, text, clientId }: Kept): JournalEntry {
  const entry: JournalEntry = { id, time: new Date(at).toISOString(), method, path, status, ms, failure };
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
