import type { RequestRecord } from '../log.js';

/** One journaled request, as `GET /__dcr/requests` and the inspector show it. */
export interface JournalEntry extends RequestRecord {
  id: number;
  body?: unknown;
  client_id?: string;
}

export const JOURNAL_SIZE = 1000;
const MAX_BODY_CHARS = 4096;

/** A request as kept: its body as received, parsed only when someone looks (most never are). */
interface Kept {
  readonly id: number;
  readonly record: RequestRecord;
  readonly text: string | undefined;
  readonly clientId: string | undefined;
}

/**
 * The last JOURNAL_SIZE requests, in memory: a ring, so its cost never grows. Bodies are kept as the
 * text that was read (already in memory) rather than as parsed objects, which would outlive a young
 * generation collection on every request and leave the old one to clear them.
 */
export class RequestJournal {
  #entries: Kept[] = [];
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {}

  /** `text` is the request body as received. */
  record(record: RequestRecord, text: string | undefined, clientId?: string): void {
    this.#entries.push({ id: this.#nextId++, record, text, clientId });
    if (this.#entries.length > this.size * 2) this.#entries = this.#entries.slice(-this.size);
  }

  /** Newest first. */
  list(limit = this.size): JournalEntry[] {
    const newest = this.#entries.slice(-Math.min(limit, this.size));
    return newest.reverse().map(toEntry);
  }

  clear(): void {
    this.#entries = [];
  }
}

function toEntry({ id, record, text, clientId }: Kept): JournalEntry {
  const entry: JournalEntry = { id, ...record };
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
