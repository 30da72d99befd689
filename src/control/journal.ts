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

  record(record: RequestRecord, body: unknown, clientId?: string): void {
    const entry: JournalEntry = { id: this.#nextId++, ...record };
    if (body !== undefined) entry.body = boundedBody(body);
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

function boundedBody(body: unknown): unknown {
  let text: string | undefined;
  try {
    text = typeof body === 'string' ? body : JSON.stringify(body);
  } catch {
    // JSON.parse takes nesting that JSON.stringify's recursion cannot give back (a 60 KB `[[[…]]]`).
    return '(a JSON body nested too deeply to show)';
  }
  if (text === undefined) return undefined;
  return text.length <= MAX_BODY_CHARS ? body : `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`;
}
