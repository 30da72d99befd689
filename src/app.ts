import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Jwks } from './authorization/keys.js';
import { discoveryDocument } from './discovery.js';
import { adminRefusal } from './http/bearer.js';
import type { Exchange, Handler } from './http/exchange.js';
import { sendJson, setCors } from './http/respond.js';
import { inspectorRoutes } from './inspector/assets.js';
import { CLIENT_URI_PREFIX } from './registration/management.js';

export interface AppDeps {
  /** POST /oidc/register. */
  readonly register: Handler;
  /** RFC 7592 on /oidc/register/:client_id (a 404 where the profile has none). */
  readonly manage: Handler;
  /** The /__dcr/* control plane. */
  readonly control: Handler;
  readonly issuer: () => string;
  /** The public signing keys; a key is derived on the first call, not at start. */
  readonly jwks: () => Promise<Jwks>;
  /** json-server's routes, for everything dcr-mock does not answer itself. */
  readonly fallback: (req: IncomingMessage, res: ServerResponse) => void;
  /** When set, json-server's routes (which show every client's secret) need it, as the control plane does. */
  readonly adminToken?: string | undefined;
}

/** What answers a request, and whether the request journal and the log show it. */
export interface Route {
  readonly handler: Handler;
  readonly journaled: boolean;
}

const CONTROL_PREFIX = '/__dcr/';

/**
 * The table of contents: every route dcr-mock answers, in the order they are tried: exact routes,
 * then the prefixes, then json-server's REST routes over the same db for everything else.
 */
export function createApp(deps: AppDeps): (ex: Exchange) => Route {
  const discovery: Handler = (ex) => sendJson(ex.res, 200, discoveryDocument(deps.issuer()));
  const jwks: Handler = async (ex) => sendJson(ex.res, 200, await deps.jwks());
  const jsonServer: Handler = (ex) => {
    const refusal = adminRefusal(ex.req, deps.adminToken);
    if (refusal) throw refusal;
    setCors(ex.req, ex.res);
    deps.fallback(ex.req, ex.res);
  };

  const exact = routeTable([
    ['POST /oidc/register', deps.register],
    ['GET /.well-known/openid-configuration', discovery],
    ['GET /.well-known/oauth-authorization-server', discovery],
    ['GET /.well-known/jwks.json', jwks],
    // The inspector's page and files: answered before json-server (which has its own `/`), and not journaled.
    ...inspectorRoutes().map(([key, handler]) => [key, handler, false] as const),
  ]);
  const prefixes: ReadonlyArray<readonly [string, Route]> = [
    [CONTROL_PREFIX, { handler: deps.control, journaled: false }],
    [CLIENT_URI_PREFIX, { handler: deps.manage, journaled: true }],
  ];
  const fallback: Route = { handler: jsonServer, journaled: true };

  return (ex) => {
    for (const [prefix, route] of prefixes) {
      if (ex.path.startsWith(prefix) && (prefix === CONTROL_PREFIX || ex.path.length > prefix.length)) return route;
    }
    return exact.get(`${ex.req.method} ${ex.path}`) ?? fallback;
  };
}

function routeTable(
  rows: ReadonlyArray<readonly [string, Handler] | readonly [string, Handler, boolean]>,
): ReadonlyMap<string, Route> {
  return new Map(rows.map(([key, handler, journaled = true]) => [key, { handler, journaled }]));
}
