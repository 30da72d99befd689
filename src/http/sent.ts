import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** An answer as its client received it: what the request journal keeps of a response. */
export interface SentAnswer {
  /** 0 when the connection ended without a status line (reset, empty response, timeout, a client that gave up). */
  readonly status: number;
  /** Merged in order when shown (not on the request's path): setHeader's, then writeHead's. */
  readonly headers: readonly OutgoingHttpHeaders[];
  /** The body's bytes that went out, as text: half of it for `truncated`, none without a status line. */
  readonly body: string;
  /** Set when only the start of a longer body was kept: how many bytes went out in all. */
  readonly bytes?: number;
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

// Keyed by the response, so nothing outlives it and the response object keeps its shape.
const written = new WeakMap<ServerResponse, Written>();

/** Notes a head (and, when the answer is written in one piece, its body) as it is written. */
export function noteSent(res: ServerResponse, headers: OutgoingHttpHeaders, body?: string | Buffer): void {
  written.set(res, { headers, body });
}

/** Notes how much of a streamed body went out so far (a truncated or dribbled answer). */
export function noteBody(res: ServerResponse, body: Buffer): void {
  const note = written.get(res);
  if (note) note.body = body;
  else written.set(res, { body });
}

/**
 * Keeps the first `limit` bytes of what others (json-server) write on `res`, and counts the rest.
 * An answer dcr-mock writes itself on the same response is noted whole and wins.
 */
export function keepBody(res: ServerResponse, limit: number): void {
  const kept: Kept = { chunks: [], size: 0, total: 0 };
  const note = written.get(res);
  if (note) note.kept = kept;
  else written.set(res, { kept });
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
  if (!res.headersSent) return { status: 0, headers: [], body: '' };
  const status = res.statusCode;
  const note = written.get(res);
  // setHeader's headers (CORS ahead of json-server, the rate limit's), then writeHead's.
  const headers = note?.headers ? [res.getHeaders(), note.headers] : [res.getHeaders()];
  if (note?.body !== undefined) return { status, headers, body: note.body.toString() };
  const kept = note?.kept;
  if (!kept) return { status, headers, body: '' };
  const body = Buffer.concat(kept.chunks).toString();
  return kept.total > kept.size ? { status, headers, body, bytes: kept.total } : { status, headers, body };
}
