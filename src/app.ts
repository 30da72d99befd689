import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { discoveryDocument } from './discovery.js';
import { toWireError } from './errors.js';
import { adminRefusal } from './http/bearer.js';
import { sendError, sendJson, sendPreflight, setCors } from './http/respond.js';
import { inspectorRoutes } from './inspector/assets.js';
import type { RequestRecord } from './log.js';
import { CLIENT_URI_PREFIX } from './registration/management.js';

/** One request in flight: what the handlers learn about it ends up in its RequestRecord. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The request body as received, once read (the journal shows it). */
  text?: string;
  /** The failure modes applied, if any, as the journal shows them. */
  failure?: string | undefined;
  /** The client registered, if any. */
  clientId?: string;
}

export type Handler = (exchange: Exchange) => Promise<void> | void;

export interface AppDeps {
  readonly register: Handler;
  readonly control: Handler;
  readonly issuer: () => string;
  readonly clock: () => Date;
  /** json-server's routes, for everything dcr-mock does not answer itself. */
  readonly fallback: (req: IncomingMessage, res: ServerResponse) => void;
  /** When set, json-server's routes (which show every client's secret) need it, as the control plane does. */
  readonly adminToken?: string | undefined;
  /** Called once per answered (or abandoned) request, control plane and inspector excepted. */
  readonly onRecord: (record: RequestRecord, exchange: Exchange) => void;
  /** Called once per request, when its exchange is over (answered, abandoned or cut). */
  readonly onClosed: (res: ServerResponse) => void;
  readonly onUnexpected: (err: unknown, exchange: Exchange) => void;
  /** RFC 7592 on /oidc/register/:client_id (a 404 where the profile has none). */
  readonly manage?: Handler;
}

const CONTROL_PREFIX = '/__dcr/';

export function createApp(deps: AppDeps): RequestListener {
  const discovery: Handler = (ex) => sendJson(ex.res, 200, discoveryDocument(deps.issuer()));

  const routes = new Map<string, Handler>([
    ['POST /oidc/register', deps.register],
    ['GET /.well-known/openid-configuration', discovery],
    ['GET /.well-known/oauth-authorization-server', discovery],
    ['GET /.well-known/jwks.json', (ex) => sendJson(ex.res, 200, { keys: [] })],
  ]);
  // The inspector's page and files: answered before json-server (which has its own `/`), and not journaled.
  const pages = new Map<string, Handler>(inspectorRoutes());

  const managed = (path: string): Handler | undefined =>
    deps.manage && path.startsWith(CLIENT_URI_PREFIX) && path.length > CLIENT_URI_PREFIX.length
      ? deps.manage
      : undefined;

  return (req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // Only the first "?" starts the query; later ones belong to it (a pattern such as /^a?b$/).
    const path = q === -1 ? url : url.slice(0, q);
    const ex: Exchange = { req, res, path, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) };
    const control = path.startsWith(CONTROL_PREFIX);
    const route = `${req.method} ${path}`;
    const page = pages.get(route);
    // Every request but the control plane's and the inspector's gets its record: json-server's routes and preflights included.
    const journaled = !control && !page;
    // One listener for all that waits on the end of the exchange: Node copies its list of listeners when there are several.
    res.on('close', () => {
      deps.onClosed(res);
      if (journaled) deps.onRecord(record(ex, started, deps.clock()), ex);
    });
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) return sendPreflight(req, res);
    const handler = control ? deps.control : (page ?? routes.get(route) ?? managed(path));
    if (!handler) {
      const refusal = adminRefusal(req, deps.adminToken);
      if (refusal) return sendError(res, refusal);
      setCors(req, res);
      return deps.fallback(req, res);
    }
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

function record(ex: Exchange, started: number, now: Date): RequestRecord {
  const { req, res } = ex;
  return {
    at: now.getTime(),
    method: req.method ?? 'GET',
    path: ex.path,
    // 0: the connection ended without a status line (reset, empty response, a client that gave up).
    status: res.headersSent ? res.statusCode : 0,
    ms: Math.round((performance.now() - started) * 100) / 100,
    failure: ex.failure,
  };
}
