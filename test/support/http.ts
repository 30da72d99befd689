import { Agent, request } from 'node:http';

/** A response read with fetch, as the tests look at it: status, headers, the raw text and the JSON it parses to, if any. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
}

/**
 * POSTs `text` as it is to the registration endpoint. `chunked` streams it without a
 * Content-Length, so a server cannot refuse it from the header alone.
 */
export async function postRaw(server: { registrationEndpoint: string }, text: string, chunked = false): Promise<Reply> {
  const bytes = Buffer.from(text);
  const body = chunked
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 16 * 1024) controller.enqueue(bytes.subarray(at, at + 16 * 1024));
          controller.close();
        },
      })
    : bytes;
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' };
  return toReply(await fetch(server.registrationEndpoint, init as RequestInit));
}

/** GETs a path below the server's base URL and returns its parsed JSON. */
export async function getJson(server: { url: string }, path: string): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Splits a comma-separated header value into lower-cased items. */
export function headerList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

/**
 * A response read with node:http, for what fetch cannot do: a keep-alive pool, a per-request timeout.
 * Headers are as node gives them; there is no parsed JSON.
 */
export interface NodeReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** A keep-alive pool of at most `connections` sockets, like a busy client. Destroy it when done. */
export function pool(connections: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections });
}

/** One request; rejects on a socket error or after `timeoutMs` (the request is then destroyed). */
export function send(
  url: string,
  options: {
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    agent?: Agent;
    timeoutMs?: number;
  } = {},
): Promise<NodeReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () =>
      req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const registration = (client_name: string) =>
  JSON.stringify({ client_name, redirect_uris: [`https://app.example.com/${encodeURIComponent(client_name)}/cb`] });

export const JSON_HEADERS = { 'content-type': 'application/json' };
