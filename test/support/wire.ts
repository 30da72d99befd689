import { type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';

/** A registration body every failure test can send. */
export const METADATA = { client_name: 'Failure test', redirect_uris: ['http://localhost:3000/callback'] };

/** What a node:http client saw of one exchange, event by event. */
export interface HttpExchange {
  status?: number;
  headers?: IncomingHttpHeaders;
  /** Each `data` event's bytes, in arrival order. */
  chunks: Buffer[];
  /** Chunks already received when the headers arrived. */
  chunksBeforeHeaders?: number;
  /** The body arrived whole (`end`). */
  complete: boolean;
  error?: NodeJS.ErrnoException;
}

export interface PostOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * POSTs with node:http (no pooled socket) and settles once the exchange is over, however it ends:
 * a whole body, an error before the headers, or a body cut short.
 */
export function postOverHttp(url: string, body: unknown = METADATA, options: PostOptions = {}): Promise<HttpExchange> {
  return new Promise((resolve) => {
    const seen: HttpExchange = { chunks: [], complete: false };
    const settle = () => resolve(seen);
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', ...options.headers },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      seen.error ??= err;
      if (seen.status === undefined) settle();
    });
    req.on('response', (res) => {
      seen.status = res.statusCode;
      seen.headers = res.headers;
      seen.chunksBeforeHeaders = seen.chunks.length;
      res.on('data', (chunk: Buffer) => seen.chunks.push(chunk));
      res.on('end', () => (seen.complete = true));
      res.on('error', (err: NodeJS.ErrnoException) => (seen.error ??= err));
      res.on('close', settle);
    });
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

export const bodyOf = (exchange: HttpExchange): string => Buffer.concat(exchange.chunks).toString('utf8');

/** What a bare TCP client saw: every byte, and whether the server closed in order (FIN) or reset. */
export interface SocketExchange {
  received: Buffer;
  /** 'end': the server closed in good order; 'error': the connection failed (see code). */
  outcome: 'end' | 'error';
  code?: string | undefined;
}

/** Writes one HTTP/1.1 POST on a fresh TCP connection and reports exactly what came back. */
export function postOverSocket(
  url: string,
  body: unknown = METADATA,
  headers: Record<string, string> = {},
): Promise<SocketExchange> {
  const target = new URL(url);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const head = [
    `POST ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(target.port), target.hostname);
    const finish = (outcome: SocketExchange['outcome'], code?: string) => {
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), outcome, code });
    };
    socket.on('connect', () => socket.write(`${head}\r\n\r\n${text}`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => finish('end'));
    socket.on('error', (err: NodeJS.ErrnoException) => finish('error', err.code));
  });
}
