import type { ServerResponse } from 'node:http';
import type { Answer } from '../http/answer.js';
import { writeHead } from '../http/respond.js';
import { noteBody } from '../http/sent.js';

/** Default cap of `timeout`: the socket is cut then if the client has not given up. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default time `slow_body` takes to send its body. */
export const DEFAULT_SLOW_BODY_MS = 2_000;
const SLOW_BODY_CHUNKS = 10;

/**
 * Faults in progress (held sockets, dribbles, delays), so that a server stop ends them at once
 * and no socket or timer outlives it.
 */
export class OpenFaults {
  readonly #aborts = new Set<() => void>();
  #stopped = false;

  /** Registers an abort; returns the function that unregisters it. */
  track(abort: () => void): () => void {
    this.#aborts.add(abort);
    return () => this.#aborts.delete(abort);
  }

  get size(): number {
    return this.#aborts.size;
  }

  /** True once the server stops: from then on nothing is held. */
  get stopped(): boolean {
    return this.#stopped;
  }

  abortAll(): void {
    this.#stopped = true;
    for (const abort of [...this.#aborts]) abort();
    this.#aborts.clear();
  }
}

/**
 * Waits ms; false if the client went away first. A server stop cuts the wait short (true): what
 * was held back goes out now, so a stop finishes requests in flight instead of leaving them hanging.
 */
export function hold(res: ServerResponse, ms: number, faults: OpenFaults): Promise<boolean> {
  if (ms <= 0 || faults.stopped) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const finish = (completed: boolean) => {
      clearTimeout(timer);
      res.off('close', onClose);
      untrack();
      resolve(completed);
    };
    const onClose = () => finish(false);
    const timer = setTimeout(() => finish(true), ms);
    const untrack = faults.track(() => finish(!res.destroyed));
    res.once('close', onClose);
  });
}

/** A TCP reset: the client sees ECONNRESET. */
export function reset(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket?.destroy();
}

/** The connection closed in good order (FIN) without one byte of answer. */
export function emptyResponse(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  socket.end(() => socket.destroy());
}

/** Status line, headers (announcing the whole length) and half the body, then the connection closes. */
export function truncated(res: ServerResponse, answer: Answer): void {
  const body = Buffer.from(answer.body);
  writeHead(res, answer.status, { ...answer.headers, 'content-length': body.length });
  const half = body.subarray(0, Math.floor(body.length / 2));
  noteBody(res, half);
  res.write(half, () => {
    const socket = res.socket;
    if (socket) socket.end(() => socket.destroy());
  });
}

/** Never answers; the socket is cut after capMs, when the server stops, or when the client gives up. */
export function timeout(res: ServerResponse, capMs: number, faults: OpenFaults): void {
  void hold(res, capMs, faults).then(() => res.socket?.destroy());
}

/** The whole answer, its body sent in slices spread over ms. */
export function slowBody(res: ServerResponse, answer: Answer, ms: number, faults: OpenFaults): void {
  const body = Buffer.from(answer.body);
  writeHead(res, answer.status, { ...answer.headers, 'content-length': body.length });
  res.flushHeaders();
  const slices = Math.max(1, Math.min(SLOW_BODY_CHUNKS, body.length));
  const size = Math.ceil(body.length / slices);
  const step = async (i: number): Promise<void> => {
    if (i >= slices) {
      res.end();
      return;
    }
    if (!(await hold(res, ms / slices, faults))) {
      res.destroy();
      return;
    }
    res.write(body.subarray(i * size, (i + 1) * size));
    noteBody(res, body.subarray(0, (i + 1) * size));
    return step(i + 1);
  };
  void step(0);
}
