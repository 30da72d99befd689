/** A response as the tests look at it: status, headers, the raw text and the JSON it parses to, if any. */
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
