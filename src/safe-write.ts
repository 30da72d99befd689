/** Where dcr-mock writes lines: process.stdout and process.stderr, or anything with their `write`. */
export interface Sink {
  write(text: string): unknown;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

/** Sinks whose reader has gone: nothing more is written to them. */
const gone = new WeakSet<Sink>();
const watched = new WeakSet<Sink>();

/**
 * A write to `sink` that never throws and never crashes the process: once its reader has gone (a
 * `| head -1` that exited, a closed terminal, a parent that stopped reading), writing to a pipe fails
 * with EPIPE, which Node raises as an 'error' event that would end the process. The server goes on
 * serving; what it would have printed there is dropped.
 */
export function safeWriter(sink: Sink): (text: string) => void {
  if (!watched.has(sink)) {
    watched.add(sink);
    sink.on?.('error', () => gone.add(sink));
  }
  return (text) => {
    if (gone.has(sink)) return;
    try {
      sink.write(text);
    } catch {
      gone.add(sink);
    }
  };
}
