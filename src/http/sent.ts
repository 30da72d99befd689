import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** An answer as its client received it: what the request journal keeps of a response. */
export interface SentAnswer {
  /** 0 when the connection ended without a status line (reset, empty response, timeout, a client that gave up). */
  readonly status: number;
  /**
   * Merged in order when shown (not on the request's path): `set` (setHeader's), then `head` (writeHead's).
   * Two fields, not an array of them: the journal keeps what it is given, and an array more per answer
   * would reach the old generation with it (bench/NOTES.md).
   */
  readonly set?: OutgoingHttpHeaders | undefined;
  readonly head?: OutgoingHttpHeaders | undefined;
  /**
   * The body's bytes that went out (half of them for `truncated`, none without a status line), as the
   * bytes written or as text; the journal decodes them only when it shows them.
   */
  readonly body: string | Buffer;
  /** Set when only the start of a longer body was kept: how many bytes went out in all. */
  readonly bytes?: number | undefined;
}

/** What was written on a response, as far as dcr-mock knows it. */
interface Written {
  /** The head as given to writeHead, which leaves out what setHeader set before: res.getHeaders() has that. */
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  kept?: Kept;
}

/** The start of a body written by someone else (json-server). */
interface Kept {
  chunks: Buffer[];
  size: number;
  total: number;
}

/**
 * Kept on the response itself, so that it goes when the response goes. Not a WeakMap keyed by the
 * response: V8's young collections keep the values of a long-lived WeakMap alive and promote them, so
 * every answer's head and body would reach the old generation (bench/NOTES.md).
 */
const WRITTEN = Symbol('what dcr-mock wrote');
type Noted = ServerResponse & { [WRITTEN]?: Written };

const noteOf = (res: ServerResponse): Written | undefined => (res as Noted)[WRITTEN];
const setNote = (res: ServerResponse, note: Written): void => {
  (res as Noted)[WRITTEN] = note;
};

/** Notes a head (and, when the answer is written in one piece, its body) as it is written. */
export function noteSent(res: ServerResponse, headers: OutgoingHttpHeaders, body?: string | Buffer): void {
  setNote(res, { headers, body });
}

/** Notes how much of a streamed body went out so far (a truncated or dribbled answer). */
export function noteBody(res: ServerResponse, body: Buffer): void {
  const note = noteOf(res);
  if (note) note.body = body;
  else setNote(res, { body });
}

/**
 * Keeps the first `limit` bytes of what others (json-server) write on `res`, and counts the rest.
 * An answer dcr-mock writes itself on the same response is noted whole and wins.
 */
export function keepBody(res: ServerResponse, limit: number): void {
  const kept: Kept = { chunks: [], size: 0, total: 0 };
  const note = noteOf(res);
  if (note) note.kept = kept;
  else setNote(res, { kept });
  const keep = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array);
    kept.total += bytes.length;
    if (kept.size >= limit) return;
    const part = bytes.subarray(0, limit - kept.size);
    kept.chunks.push(part);
    kept.size += part.length;
  };
  const { write, end } = res;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof res.write;
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as typeof res.end;
}

/** What the client got, read once the exchange is over. */
export function sentAnswer(res: ServerResponse): SentAnswer {
  if (!res.headersSent) return { status: 0, body: '' };
  const status = res.statusCode;
  const note = noteOf(res);
  // setHeader's headers (CORS ahead of json-server, the rate limit's), then writeHead's. Most answers
  // set none with setHeader: the journal then keeps no empty object for each of them.
  const all = res.getHeaders();
  const head = note?.headers;
  const set = head && isEmpty(all) ? undefined : all;
  if (note?.body !== undefined) return { status, set, head, body: note.body };
  const kept = note?.kept;
  if (!kept) return { status, set, head, body: '' };
  const body = Buffer.concat(kept.chunks).toString();
  return { status, set, head, body, bytes: kept.total > kept.size ? kept.total : undefined };
}

function isEmpty(headers: OutgoingHttpHeaders): boolean {
  for (const _ in headers) return false;
  return true;
}
