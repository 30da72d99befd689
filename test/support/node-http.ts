import { Agent, request } from 'node:http';

export interface Reply {
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
  options: { method?: string; body?: string | Buffer; headers?: Record<string, string>; agent?: Agent; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const registration = (client_name: string) =>
  JSON.stringify({ client_name, redirect_uris: [`https://app.example.com/${encodeURIComponent(client_name)}/cb`] });

export const JSON_HEADERS = { 'content-type': 'application/json' };
