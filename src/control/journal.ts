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

/** A request as kept: what was known when it was answered, and the bodies' text (already in memory). */
interface Kept extends RequestRecord {
  readonly id: number;
  readonly text: string | undefined;
  readonly clientId: string | undefined;
  readonly response: SentAnswer | undefined;
  readonly about: RequestFacts | undefined;
}

/** What an endpoint learned of a request that the journal shows beside it. */
export interface RequestFacts {
  readonly query?: string | undefined;
  readonly grantType?: string | undefined;
}

/** The last `size` requests, in memory, in a ring: the oldest is written over. */
export class RequestJournal {
  #kept: Kept[] = [];
  #next = 0;
  #nextId = 1;

  constructor(readonly size = JOURNAL_SIZE) {}

  /** `text` is the request body as received; `response` what the client got. */
  record(
    record: RequestRecord,
    text: string | undefined,
    clientId?: string,
    response?: SentAnswer,
    about?: RequestFacts,
  ): void {
    const { at, method, path, status, ms, failure } = record;
    this.#kept[this.#next] = {
      id: this.#nextId++,
      at,
      method,
      path,
      status,
      ms,
      failure,
      text,
      clientId,
      response,
      about,
    };
    this.#next = (this.#next + 1) % this.size;
  }

  /** Newest first; the time written out and the bodies parsed only now. */
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

function toEntry({ id, at, method, path, status, ms, failure, text, clientId, response, about }: Kept): JournalEntry {
  const entry: JournalEntry = { id, time: new Date(at).toISOString(), method, path, status, ms, failure };
  if (about?.query) entry.query = about.query;
  if (text !== undefined) entry.body = shownBody(text);
  if (clientId !== undefined) entry.client_id = clientId;
  if (about?.grantType !== undefined) entry.grant_type = about.grantType;
  if (response !== undefined) entry.response = shownAnswer(response);
  return entry;
}

function shownAnswer({ status, headers, body, bytes }: SentAnswer): JournalAnswer {
  const shown: Record<string, string | string[]> = {};
  for (const set of headers) {
    for (const [name, value] of Object.entries(set)) {
      if (value !== undefined) shown[name] = Array.isArray(value) ? value.map(String) : String(value);
    }
  }
  return { status, headers: shown, body: shownBody(body, bytes) };
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
