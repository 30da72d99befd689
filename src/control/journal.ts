import { isoTime } from '../iso-time.js';
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

/** A request as kept: primitives and the body's text (already in memory); `id` 0 = an empty slot. */
interface Slot extends RequestRecord {
  id: number;
  text: string | undefined;
  clientId: string | undefined;
}

const emptySlot = (): Slot => ({
  id: 0,
  // Non-integers first, so that V8 keeps these two as number fields it can update in place.
  at: 0.5,
  method: '',
  path: '',
  status: 0,
  ms: 0.5,
  failure: undefined,
  text: undefined,
  clientId: undefined,
});

/**
 * The last `size` requests, in memory, in a ring of slots made once and written over. An object
 * per request would outlive a few young-generation collections (one comes every few hundred
 * requests) and then have to be cleared from the old generation: a cost on every request.
 */
export class RequestJournal {
  #slots: Slot[];
  #next = 0;
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {
    this.#slots = Array.from({ length: size }, emptySlot);
  }

  /** `text` is the request body as received. */
  record(record: RequestRecord, text: string | undefined, clientId?: string): void {
    const slot = this.#slots[this.#next]!;
    this.#next = (this.#next + 1) % this.size;
    slot.id = this.#nextId++;
    slot.at = record.at;
    slot.method = record.method;
    slot.path = record.path;
    slot.status = record.status;
    slot.ms = record.ms;
    slot.failure = record.failure;
    slot.text = text;
    slot.clientId = clientId;
  }

  /** Newest first; the time written out and the body parsed only now. */
  list(limit = this.size): JournalEntry[] {
    const entries: JournalEntry[] = [];
    for (let back = 1; back <= Math.min(limit, this.size); back++) {
      const slot = this.#slots[(this.#next - back + this.size) % this.size]!;
      if (slot.id === 0) break;
      entries.push(toEntry(slot));
    }
    return entries;
  }

  clear(): void {
    this.#slots = Array.from({ length: this.size }, emptySlot);
    this.#next = 0;
  }
}

function toEntry({ id, at, method, path, status, ms, failure, text, clientId }: Slot): JournalEntry {
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
