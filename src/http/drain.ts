import type { ServerResponse } from 'node:http';

/** Where a tracked answer sits in the drain's list. */
const SLOT = Symbol('drain slot');
type Tracked = ServerResponse & { [SLOT]?: number | undefined };

/**
 * The answers in progress, so that a stop can make each one close its connection when it is sent:
 * keep-alive clients then leave instead of sending more requests, and the stop waits for no one.
 *
 * A plain array, each answer knowing its index: removal swaps the last one into its place. Not a Set:
 * once a Set that takes and drops an answer per request has moved to V8's old generation, young
 * collections keep answers that are already done alive and promote them (bench/NOTES.md).
 */
export class Drain {
  #open: Tracked[] = [];
  #stopping = false;

  /** Called for every request before it is handled; `done` once its exchange is over. */
  track(res: ServerResponse): void {
    if (this.#stopping) return closeWhenSent(res);
    (res as Tracked)[SLOT] = this.#open.push(res) - 1;
  }

  done(res: ServerResponse): void {
    const tracked = res as Tracked;
    const slot = tracked[SLOT];
    if (slot === undefined) return;
    tracked[SLOT] = undefined;
    const last = this.#open.pop()!;
    if (last !== tracked) {
      this.#open[slot] = last;
      last[SLOT] = slot;
    }
  }

  stop(): void {
    this.#stopping = true;
    const open = this.#open;
    this.#open = [];
    for (const res of open) {
      res[SLOT] = undefined;
      closeWhenSent(res);
    }
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
