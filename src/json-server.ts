import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Low } from 'lowdb';
import { OAuthError, PayloadTooLarge } from './errors.js';
import { MAX_BODY_BYTES } from './http/body.js';
import { sendError } from './http/respond.js';

type Fallback = (req: IncomingMessage, res: ServerResponse) => void;
type ErrorHandler = (this: unknown, err: unknown, req: IncomingMessage, res: ServerResponse) => void;

/**
 * json-server's REST routes over dcr-mock's own lowdb instance. Its 1.0.0-beta.3 app serves
 * ./public through sirv and throws at import when NODE_ENV=production and no ./public exists,
 * so it is loaded with NODE_ENV set aside.
 */
export async function createJsonServerFallback<T>(db: Low<T>): Promise<Fallback> {
  const saved = process.env['NODE_ENV'];
  if (saved === 'production') process.env['NODE_ENV'] = 'development';
  let createApp: (db: Low<T>) => { attach: Fallback; onError: ErrorHandler };
  try {
    ({ createApp } = (await import('json-server/lib/app.js')) as unknown as { createApp: typeof createApp });
  } finally {
    if (saved === 'production') process.env['NODE_ENV'] = saved;
  }
  const app = createApp(db);
  const onError = app.onError;
  app.onError = function (err, req, res) {
    // Its body parser hands a malformed body on as an error (a 500 and a stack trace on stderr),
    // then runs the route anyway, which answers a second time: only the first answer goes out.
    if (res.headersSent) return;
    if (err instanceof SyntaxError) return sendError(res, new OAuthError(400, 'invalid_request', 'the body must be JSON'));
    // It also throws on queries its data cannot answer, such as ?_embed=meta (meta is no list).
    if (err instanceof TypeError) {
      return sendError(res, new OAuthError(400, 'invalid_request', `json-server cannot answer this request (${err.message})`));
    }
    onError.call(this, err, req, res);
  };
  return (req, res) => {
    const data = db.data as Record<string, unknown>;
    const refusal = refuseWrite(data, req);
    if (refusal) return sendError(res, refusal);
    if (!listPage(data, req, res)) app.attach(req, res);
  };
}

/**
 * Writes that would break the store: to anything but a collection (json-server replaces `meta`,
 * dcr-mock's credential sequence, with any object PUT there; `PUT /__proto__` replaces the db's
 * prototype), or with a body over the registration endpoint's limit (json-server reads any size).
 */
function refuseWrite(data: Record<string, unknown>, req: IncomingMessage): OAuthError | undefined {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
  const url = req.url ?? '/';
  const segment = url.slice(1).split(/[/?]/, 1)[0] ?? '';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return new OAuthError(400, 'invalid_request', 'the path must be URL-encoded');
  }
  if (!Object.hasOwn(data, name) || !Array.isArray(data[name])) {
    return new OAuthError(405, 'invalid_request', `${JSON.stringify(name)} must be a collection (an array in db.json) to be written; meta is kept by dcr-mock`, {
      allow: 'GET',
    });
  }
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return new PayloadTooLarge(MAX_BODY_BYTES);
  return undefined;
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
    const n = Number.parseInt(value);
    if (!Number.isNaN(n)) query[key] = n;
  }
  const body = JSON.stringify(page(items, query), null, 2);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/** json-server 1.0.0-beta.3's Service.find for a query of paging keys only, less the sort. */
function page(items: unknown[], query: Record<string, number>): unknown {
  if (Object.keys(query).length === 0) return items;
  const { _start: start, _end: end, _limit: limit } = query;
  if (start !== undefined) return end !== undefined ? items.slice(start, end) : items.slice(start, start + (limit || 0));
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
