import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { discoveryDocument } from './discovery.js';
import { InvalidClientMetadata, toWireError } from './errors.js';
import { readBody } from './http/body.js';
import { NO_STORE, sendError, sendJson, sendPreflight, setCors } from './http/respond.js';
import type { RequestRecord } from './log.js';
import type { Registrar } from './registration/registrar.js';

/** One request in flight: what the handlers learn about it ends up in its RequestRecord. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed body, once read. */
  body?: unknown;
  /** The failure rule applied, if any, as the journal shows it. */
  failure?: string;
}

export type Handler = (exchange: Exchange) => Promise<void> | void;

export interface AppDeps {
  readonly registrar: Registrar;
  readonly issuer: () => string;
  readonly clock: () => Date;
  /** json-server's routes, for everything dcr-mock does not answer itself. */
  readonly fallback: (req: IncomingMessage, res: ServerResponse) => void;
  readonly onRecord: (record: RequestRecord, exchange: Exchange) => void;
  readonly onUnexpected: (err: unknown, exchange: Exchange) => void;
}

export function createApp(deps: AppDeps): RequestListener {
  const register: Handler = async (ex) => {
    const body = parseJsonBody(await readBody(ex.req));
    ex.body = body;
    sendJson(ex.res, 201, deps.registrar.register(body), NO_STORE);
  };
  const discovery: Handler = (ex) => sendJson(ex.res, 200, discoveryDocument(deps.issuer()));
  const jwks: Handler = (ex) => sendJson(ex.res, 200, { keys: [] });

  const routes = new Map<string, Handler>([
    ['POST /oidc/register', register],
    ['GET /.well-known/openid-configuration', discovery],
    ['GET /.well-known/oauth-authorization-server', discovery],
    ['GET /.well-known/jwks.json', jwks],
  ]);

  return (req, res) => {
    const started = performance.now();
    const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
    const ex: Exchange = { req, res, path, query: new URLSearchParams(search) };
    setCors(req, res);
    // Every request gets its record, json-server's routes and preflights included.
    res.once('close', () => {
      const record: RequestRecord = {
        time: deps.clock().toISOString(),
        method: req.method ?? 'GET',
        path,
        status: res.headersSent ? res.statusCode : 0,
        ms: Math.round((performance.now() - started) * 100) / 100,
        failure: ex.failure,
      };
      deps.onRecord(record, ex);
    });
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) return sendPreflight(req, res);
    const handler = routes.get(`${req.method} ${path}`);
    if (!handler) return deps.fallback(req, res);
    try {
      const done = handler(ex);
      if (done) done.catch((err: unknown) => fail(ex, err));
    } catch (err) {
      fail(ex, err);
    }
  };

  function fail(ex: Exchange, err: unknown): void {
    const wire = toWireError(err);
    if (wire !== err) deps.onUnexpected(err, ex);
    sendError(ex.res, wire);
  }
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidClientMetadata('request body must be valid JSON');
  }
}
