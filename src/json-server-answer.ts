import type { ServerResponse } from 'node:http';
import { setImmediate as turn } from 'node:timers/promises';

/** Items written per turn of the event loop: a list longer than this goes out in slices. */
export const ITEMS_PER_SLICE = 100;

/**
 * Answers `value` with the bytes of JSON.stringify(value, null, 2), as json-server does. A long list
 * (a top-level array, or the `data` of a page) is written a slice of items at a time, the event loop
 * turning in between: writing 50,000 clients (26 MB) at once would hold every other request for a second.
 */
export function sendJsonList(res: ServerResponse, value: unknown): void {
  res.setHeader('content-type', 'application/json');
  if (!holdsLongList(value)) {
    const body = JSON.stringify(value, null, 2);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  } else if (res.req.method === 'HEAD') {
    res.end();
  } else {
    void writeSlices(res, value).catch(() => res.destroy());
  }
}

/** Has json-server's `res.json` (tinyhttp's, set on each request) answer long lists as sendJsonList does. */
export function sliceLongLists(res: ServerResponse): void {
  let json: ((body: unknown) => unknown) | undefined;
  Object.defineProperty(res, 'json', {
    configurable: true,
    get: () => (body: unknown) => (holdsLongList(body) ? sendJsonList(res, body) : json?.(body)),
    set: (own: (body: unknown) => unknown) => {
      json = own;
    },
  });
}

async function writeSlices(res: ServerResponse, value: unknown): Promise<void> {
  for (const slice of slices(value)) {
    if (res.destroyed) return;
    if (!res.write(slice)) await drained(res);
    // A socket that takes the bytes at once drains on the next tick, before any other I/O: turn the loop.
    await turn();
  }
  res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The text of JSON.stringify(value, null, 2), cut between items of its long lists. */
function* slices(value: unknown): Generator<string> {
  if (Array.isArray(value)) {
    yield* listSlices(value, '');
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => inObject(v));
  let head = '{\n';
  for (const [i, [key, v]] of entries.entries()) {
    head += `  ${JSON.stringify(key)}: `;
    const tail = i < entries.length - 1 ? ',\n' : '\n';
    if (isLong(v)) {
      yield head;
      yield* listSlices(v as unknown[], '  ');
      head = tail;
    } else {
      head += `${indented(v, '  ')}${tail}`;
    }
  }
  yield `${head}}`;
}

function* listSlices(items: readonly unknown[], indent: string): Generator<string> {
  const inner = `${indent}  `;
  for (let at = 0; at < items.length; at += ITEMS_PER_SLICE) {
    let text = at === 0 ? '[\n' : '';
    const end = Math.min(at + ITEMS_PER_SLICE, items.length);
    for (let i = at; i < end; i++) {
      text += `${inner}${indented(items[i], inner)}${i < items.length - 1 ? ',\n' : '\n'}`;
    }
    yield end === items.length ? `${text}${indent}]` : text;
  }
}

/** JSON.stringify(value, null, 2) nested at `indent`: JSON text holds no newline but those it lays out. */
function indented(value: unknown, indent: string): string {
  // An array holds null where JSON has no value (undefined, a function).
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replaceAll('\n', `\n${indent}`);
}

const isLong = (value: unknown): boolean => Array.isArray(value) && value.length > ITEMS_PER_SLICE;

const holdsLongList = (value: unknown): boolean =>
  isLong(value) || (isPlainObject(value) && Object.values(value).some(isLong));

const inObject = (value: unknown): boolean =>
  value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !('toJSON' in value);
