import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A client's redirect URI: a server of the test's own, on a free port of loopback. */
export interface Callback {
  /** `http://127.0.0.1:PORT/callback`, to register as the redirect URI. */
  readonly url: string;
  /** The next request the redirect URI receives (or the first not yet taken), as a URL. */
  next(): Promise<URL>;
  close(): Promise<void>;
}

/** The page the browser lands on: one that loads nothing else, so the console stays quiet. */
const LANDED =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
  '<title>Callback</title></head><body><p>Back at the client.</p></body></html>';

export async function startCallback(): Promise<Callback> {
  const received: URL[] = [];
  const waiting: Array<(url: URL) => void> = [];
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const taker = waiting.shift();
    if (taker) taker(url);
    else received.push(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(LANDED);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/callback`,
    next: () => {
      const first = received.shift();
      return first ? Promise.resolve(first) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
