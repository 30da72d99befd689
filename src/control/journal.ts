import type { OutgoingHttpHeaders } from 'node:http';
import type { SentAnswer } from '../http/sent.js';
import type { RequestRecord } from '../log.js';

/** One journaled request, as `GET /__dcr/requests` and the inspector show it. */
export interface JournalEntry extends Omit<RequestRecord, 'at'> {
  id: number;
  /** ISO 8601, as the clock gave it when the request was answered. */
  time: string;
  body?: unknown;
  client_id?: string;
  /** The query string of the request, when it had one (`/authorize`'s parameters). */
  query?: string;
  /** What a token request asked for: `authorization_code`, `refresh_token`, `client_credentials`. */
  grant_type?: string;
  /** The answer as the client got it: status 0, no headers and no body when the connection ended without one. */
  response?: JournalAnswer;
}

/** An answer in the journal: its body parsed when it is JSON, its text when not, cut past 4096 characters. */
export interface JournalAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: unknown;
}

export const JOURNAL_SIZE = 1000;
export const MAX_BODY_CHARS = 4096;

/**
 * A request as kept: what was known when it was answered, and the bodies' text (already in memory);
 * `id` 0 is a slot not written yet. The answer's parts are fields of the slot (`sent` -1: none kept),
 * not an object of their own: one more object per request held from the ring (bench/NOTES.md).
 */
interface Slot extends RequestRecord {
  id: number;
  text: string | undefined;
  clientId: string | undefined;
  sent: number;
  sentSet: OutgoingHttpHeaders | undefined;
  sentHead: OutgoingHttpHeaders | undefined;
  sentBody: string | Buffer;
  sentBytes: number | undefined;
  about: RequestFacts | undefined;
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
  sent: -1,
  sentSet: undefined,
  sentHead: undefined,
  sentBody: '',
  sentBytes: undefined,
  about: undefined,
});

/** What an endpoint learned of a request that the journal shows beside it. */
export interface RequestFacts {
  readonly query?: string | undefined;
  readonly grantType?: string | undefined;
}

/**
 * The last `size` requests, in memory, in a ring of slots made once and written over. An object per
 * request would outlive a young-generation collection or two (one comes every few hundred requests)
 * and then have to be cleared from the old generation: a cost on every request (bench/NOTES.md).
 */
export class RequestJournal {
  #slots: Slot[];
  #next = 0;
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {
    this.#slots = Array.from({ length: size }, emptySlot);
  }

  /** `text` is the request body as received; `response` what the client got. */
  record(
    record: RequestRecord,
    text: string | undefined,
    clientId?: string,
    response?: SentAnswer,
    about?: RequestFacts,
  ): void {
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
    slot.sent = response ? response.status : -1;
    slot.sentSet = response?.set;
    slot.sentHead = response?.head;
    slot.sentBody = response ? response.body : '';
    slot.sentBytes = response?.bytes;
    slot.about = about;
  }

  /** Newest first; the time written out and the bodies parsed only now. */
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

function toEntry(slot: Slot): JournalEntry {
  const { id, at, method, path, status, ms, failure, text, clientId, about } = slot;
  const entry: JournalEntry = { id, time: new Date(at).toISOString(), method, path, status, ms, failure };
  if (about?.query) entry.query = about.query;
  if (text !== undefined) entry.body = shownBody(text);
  if (clientId !== undefined) entry.client_id = clientId;
  if (about?.grantType !== undefined) entry.grant_type = about.grantType;
  if (slot.sent !== -1) {
    entry.response = shownAnswer({
      status: slot.sent,
      set: slot.sentSet,
      head: slot.sentHead,
      body: slot.sentBody,
      bytes: slot.sentBytes,
    });
  }
  return entry;
}

function shownAnswer({ status, set, head, body, bytes }: SentAnswer): JournalAnswer {
  const shown: Record<string, string | string[]> = {};
  for (const headers of [set, head]) {
    if (headers === undefined) continue;
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) shown[name] = Array.isArray(value) ? value.map(String) : String(value);
    }
  }
  return { status, headers: shown, body: shownBody(typeof body === 'string' ? body : body.toString(), bytes) };
}

/**
 * A body as the journal shows it: parsed when it is JSON, its text when not, cut (as text) past
 * MAX_BODY_CHARS. `bytes`: the whole length, when only the start of the body was kept.
 */
function shownBody(text: string, bytes?: number): unknown {
  if (bytes !== undefined) return `${text.slice(0, MAX_BODY_CHARS)}… (${bytes} bytes)`;
  if (text.length > MAX_BODY_CHARS) return `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
