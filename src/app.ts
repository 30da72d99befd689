import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_CHARS } from './control/journal.js';
import { adminRefusal } from './http/bearer.js';
import type { Exchange, Handler } from './http/exchange.js';
import type { OriginPolicy } from './http/origins.js';
import { sendPreflight, setCors, withholdCors } from './http/respond.js';
import { keepBody } from './http/sent.js';
import { inspectorRoutes } from './inspector/assets.js';
import { CLIENT_URI_PREFIX } from './registration/management.js';
import { CONSENT_PATH, LOGIN_PATH } from './authorization/pages.js';
import { MCP_PATH, PRM_PATH } from './mcp/resource.js';

export interface AppDeps {
  /** POST /oidc/register. */
  readonly register: Handler;
  /** RFC 7592 on /oidc/register/:client_id (a 404 where the profile has none). */
  readonly manage: Handler;
  /** The /__dcr/* control plane. */
  readonly control: Handler;
  /** Both well-known metadata paths. */
  readonly discovery: Handler;
  /** The public signing keys; a key is derived on the first request, not at start. */
  readonly jwks: Handler;
  /** The authorization server: /authorize and the pages it shows, the token, revocation and userinfo endpoints. */
  readonly authorize: Handler;
  readonly consent: Handler;
  readonly login: Handler;
  readonly token: Handler;
  readonly revoke: Handler;
  readonly userinfo: Handler;
  /** RFC 9728 protected resource metadata of /mcp, and the MCP server itself. */
  readonly prm: Handler;
  readonly mcp: Handler;
  /** json-server's routes, for everything dcr-mock does not answer itself. */
  readonly fallback: (req: IncomingMessage, res: ServerResponse) => void;
  /** When set, json-server's routes (which show every client's secret) need it, as the control plane does. */
  readonly adminToken?: string | undefined;
  /** Which browsers may reach the control plane and json-server's routes. */
  readonly origins: OriginPolicy;
}

/** What answers a request, and whether the request journal and the log show it. */
export interface Route {
  readonly handler: Handler;
  readonly journaled: boolean;
}

/** A route, and what answers its CORS preflights. */
interface Entry extends Route {
  readonly preflight: Handler;
}

const CONTROL_PREFIX = '/__dcr/';
/** Of json-server's answers the journal keeps enough bytes for the characters it shows (4 bytes at most each). */
const KEPT_BYTES = MAX_BODY_CHARS * 4;

/**
 * The table of contents: every route dcr-mock answers, in the order they are tried: exact routes,
 * then the prefixes, then json-server's REST routes over the same db for everything else.
 * Registration, discovery and RFC 7592 stay open to every browser, as Auth0's are; the control plane
 * and json-server's routes, which show every secret and change the store, are guarded (origins.ts).
 */
export function createApp(deps: AppDeps): (ex: Exchange) => Route {
  const jsonServer: Handler = (ex) => {
    const refusal = adminRefusal(ex.req, deps.adminToken);
    if (refusal) throw refusal;
    setCors(ex.req, ex.res);
    keepBody(ex.res, KEPT_BYTES);
    deps.fallback(ex.req, ex.res);
  };
  const preflight: Handler = (ex) => sendPreflight(ex.req, ex.res);
  const guarded =
    (handler: Handler): Handler =>
    (ex) => {
      const refusal = deps.origins.refusal(ex.req);
      if (refusal) {
        withholdCors(ex.req);
        throw refusal;
      }
      return handler(ex);
    };
  const open = (handler: Handler, journaled = true): Entry => ({ handler, journaled, preflight });
  const closed = (handler: Handler, journaled: boolean): Entry => ({
    handler: guarded(handler),
    journaled,
    preflight: guarded(preflight),
  });

  const exact = routeTable(open, [
    ['POST /oidc/register', deps.register],
    ['GET /.well-known/openid-configuration', deps.discovery],
    ['GET /.well-known/oauth-authorization-server', deps.discovery],
    ['GET /.well-known/jwks.json', deps.jwks],
    ['GET /authorize', deps.authorize],
    [`POST ${CONSENT_PATH}`, deps.consent],
    [`POST ${LOGIN_PATH}`, deps.login],
    ['POST /oauth/token', deps.token],
    ['POST /oauth/revoke', deps.revoke],
    ['GET /userinfo', deps.userinfo],
    ['POST /userinfo', deps.userinfo],
    [`GET ${PRM_PATH}`, deps.prm],
    [`GET ${PRM_PATH}${MCP_PATH}`, deps.prm],
    [`POST ${MCP_PATH}`, deps.mcp],
    [`GET ${MCP_PATH}`, deps.mcp],
    [`DELETE ${MCP_PATH}`, deps.mcp],
    // The inspector's page and files: answered before json-server (which has its own `/`), and not journaled.
    ...inspectorRoutes().map(([key, handler]) => [key, handler, false] as const),
  ]);
  const prefixes: ReadonlyArray<readonly [string, Entry]> = [
    [CONTROL_PREFIX, closed(deps.control, false)],
    [CLIENT_URI_PREFIX, open(deps.manage)],
  ];
  const fallback = closed(jsonServer, true);

  const find = (ex: Exchange, method: string): Entry => {
    for (const [prefix, entry] of prefixes) {
      if (ex.path.startsWith(prefix) && (prefix === CONTROL_PREFIX || ex.path.length > prefix.length)) return entry;
    }
    return exact.get(`${method} ${ex.path}`) ?? fallback;
  };
  return (ex) => {
    // A preflight is answered for the route it asks about: the method it names, at its path.
    const asked = ex.req.method === 'OPTIONS' ? ex.req.headers['access-control-request-method'] : undefined;
    if (!asked) return find(ex, ex.req.method ?? 'GET');
    const entry = find(ex, asked.toUpperCase());
    return { handler: entry.preflight, journaled: entry.journaled };
  };
}

function routeTable(
  entry: (handler: Handler, journaled?: boolean) => Entry,
  rows: ReadonlyArray<readonly [string, Handler] | readonly [string, Handler, boolean]>,
): ReadonlyMap<string, Entry> {
  return new Map(rows.map(([key, handler, journaled]) => [key, entry(handler, journaled)]));
}
