import type { ServerResponse } from 'node:http';

/**
 * The answers in progress, so that a stop can make each one close its connection when it is sent:
 * keep-alive clients then leave instead of sending more requests, and the stop waits for no one.
 */
export class Drain {
  #open = new Set<ServerResponse>();
  #stopping = false;

  /** Called for every request before it is handled; `done` once its exchange is over. */
  track(res: ServerResponse): void {
    if (this.#stopping) return closeWhenSent(res);
    this.#open.add(res);
  }

  done(res: ServerResponse): void {
    this.#open.delete(res);
  }

  stop(): void {
    this.#stopping = true;
    const open = this.#open;
    this.#open = new Set();
    for (const res of open) closeWhenSent(res);
  }
}

function closeWhenSent(res: ServerResponse): void {
  if (!res.headersSent) {
    res.setHeader('connection', 'close');
    return;
  }
  // Already announced keep-alive (a slow body): end the connection once the answer is out.
  const socket = res.socket;
  if (socket && !res.writableFinished) res.once('finish', () => socket.end());
}
