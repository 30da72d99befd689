import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Low } from 'lowdb';
import { OAuthError, toWireError } from './errors.js';
import { readBody } from './http/body.js';
import { sendError } from './http/respond.js';
import { sendJsonList, sliceLongLists } from './json-server-answer.js';
import { checkName, checkQuery, checkWrite } from './json-server-guard.js';
import { WriteUndo } from './json-server-undo.js';

type Fallback = (req: IncomingMessage, res: ServerResponse) => void;
type ErrorHandler = (this: unknown, err: unknown, req: IncomingMessage, res: ServerResponse) => void;
type JsonServerApp = { attach: Fallback; onError: ErrorHandler };
/** Where an error that is no fault of the request goes (the server's log). */
export type Unexpected = (err: unknown, req: IncomingMessage) => void;

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * json-server's REST routes over dcr-mock's own lowdb instance, behind a guard: json-server answers a
 * malformed JSON body or property path with a 500, would let a write break the shape dcr-mock needs
 * from db.json (`meta`, a client without its `client_id`), and walks whole collections for a query.
 * The guard reads the body once (64 KiB at most), refuses what would do harm with a 4xx that says
 * why, and hands the same bytes on to json-server. A write that db.json does not take is undone;
 * a long list is written out in slices.
 */
export function createJsonServerFallback<T>(db: Low<T>, onUnexpected: Unexpected = () => {}): Fallback {
  const writes = new AsyncLocalStorage<WriteUndo>();
  // Loaded on first use: start-up (spawn to first registration) does not pay for json-server's imports.
  // Requests that come while it loads wait for the same import.
  let app: Promise<JsonServerApp> | undefined;
  const loaded = () => (app ??= loadApp(undoable(db, writes), onUnexpected));
  const data = () => db.data as Record<string, unknown>;
  return (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const handled = WITH_BODY.has(method)
      ? readBody(req).then(async (text) => {
          const problem = checkWrite(data(), method, url, text);
          if (problem) return sendError(res, problem);
          replayBody(req, text);
          const { attach } = await loaded();
          writes.run(new WriteUndo(method, url), () => attach(req, res));
        })
      : Promise.resolve().then(async () => {
          const problem = checkName(url);
          if (problem) return sendError(res, problem);
          if (listPage(data(), req, res)) return;
          const refused = checkQuery(data(), url);
          if (refused) return sendError(res, refused);
          sliceLongLists(res);
          (await loaded()).attach(req, res);
        });
    handled.catch((err: unknown) => {
      const wire = toWireError(err);
      if (wire !== err) onUnexpected(err, req);
      sendError(res, wire);
    });
  };
}

/**
 * The db as json-server sees it: the same data, and a write() that undoes json-server's change when
 * db.json does not take it. Which write is whose: the request's WriteUndo, carried by `writes`.
 */
function undoable<T>(db: Low<T>, writes: AsyncLocalStorage<WriteUndo>): Low<T> {
  const data = () => db.data as Record<string, unknown>;
  return {
    get data() {
      writes.getStore()?.before(data());
      return db.data;
    },
    async write() {
      const undo = writes.getStore();
      undo?.changed();
      const changed = db.data;
      try {
        await db.write();
      } catch (err) {
        // Unless db.json, edited by hand, was read again meanwhile: the change is not in that data.
        if (db.data === changed) undo?.undo(data());
        throw err;
      }
    },
  } as Low<T>;
}

/**
 * json-server 1.0.0-beta.3 serves ./public through sirv and throws at import when NODE_ENV=production
 * and no ./public exists, so it is loaded with NODE_ENV set aside.
 */
async function loadApp<T>(db: Low<T>, onUnexpected: Unexpected): Promise<JsonServerApp> {
  const saved = process.env['NODE_ENV'];
  if (saved === 'production') process.env['NODE_ENV'] = 'development';
  let app: JsonServerApp;
  try {
    const { createApp } = (await import('json-server/lib/app.js')) as unknown as {
      createApp: (db: Low<T>) => JsonServerApp;
    };
    app = createApp(db);
  } finally {
    if (saved === 'production') process.env['NODE_ENV'] = saved;
  }
  const onError = app.onError;
  app.onError = function (err, req, res) {
    if (res.headersSent) return;
    // A write the store could not make (StorageUnavailable: a 503 that names the cause).
    if (err instanceof OAuthError) return sendError(res, err);
    // It throws on queries its data cannot answer, such as ?_embed=meta (meta is no list).
    if (err instanceof TypeError || err instanceof SyntaxError) {
      return sendError(
        res,
        new OAuthError(400, 'invalid_request', `json-server cannot answer this request (${err.message})`),
      );
    }
    // Anything else is no fault of the request, such as a write that db.json did not take.
    if (err instanceof Error) {
      onUnexpected(err, req);
      return sendError(res, toWireError(err));
    }
    onError.call(this, err, req, res);
  };
  return app;
}

/** Lets json-server's body parser read the bytes the guard already read. */
function replayBody(req: IncomingMessage, text: string): void {
  const bytes = Buffer.from(text);
  Object.defineProperty(req, Symbol.asyncIterator, {
    configurable: true,
    value: async function* () {
      if (bytes.length > 0) yield bytes;
    },
  });
}

const PAGING_KEYS = ['_page', '_per_page', '_start', '_end', '_limit'];

/**
 * json-server sorts the whole collection on every list request, unsorted ones too (by an empty
 * key: a stable no-op that takes ~90 ms at 50,000 clients, during which nothing else is served).
 * A list request that only pages is answered here with the same JSON, without the sort.
 * Returns false for every other request.
 */
function listPage(data: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET') return false;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const name = /^\/([A-Za-z0-9_-]+)$/.exec(q === -1 ? url : url.slice(0, q))?.[1];
  const items = name !== undefined && Object.hasOwn(data, name) ? data[name] : undefined;
  if (!Array.isArray(items)) return false;
  const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const query: Record<string, number> = {};
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (!PAGING_KEYS.includes(key) || seen.has(key)) return false;
    seen.add(key);
    // As json-server reads them: parseInt, and a parameter that is not a number is left out.
    const n = Number.parseInt(value, 10);
    if (!Number.isNaN(n)) query[key] = n;
  }
  sendJsonList(res, page(items, query));
  return true;
}

/** json-server 1.0.0-beta.3's Service.find for a query of paging keys only, less the sort. */
function page(items: unknown[], query: Record<string, number>): unknown {
  if (Object.keys(query).length === 0) return items;
  const { _start: start, _end: end, _limit: limit } = query;
  if (start !== undefined)
    return end !== undefined ? items.slice(start, end) : items.slice(start, start + (limit || 0));
  if (limit !== undefined) return items.slice(0, limit);
  const perPage = query['_per_page'] || 10;
  if (!query['_page']) return items.slice(start, end);
  const pages = Math.ceil(items.length / perPage);
  const current = Math.max(1, Math.min(query['_page'], pages));
  const first = (current - 1) * perPage;
  return {
    first: 1,
    prev: current > 1 ? current - 1 : null,
    next: current < pages ? current + 1 : null,
    last: pages,
    pages,
    items: items.length,
    data: items.slice(first, first + perPage),
  };
}
