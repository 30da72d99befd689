import type { Handler } from '../app.js';
import { InvalidClientMetadata, NotFound, OAuthError } from '../errors.js';
import { InvalidToken, bearerToken } from '../http/bearer.js';
import { readBody } from '../http/body.js';
import { NO_STORE, sendJson, writeHead } from '../http/respond.js';
import type { Registrar } from './registrar.js';

/** Where RFC 7592's client configuration endpoint lives: registration_client_uri is this plus the client_id. */
export const CLIENT_URI_PREFIX = '/oidc/register/';

/**
 * RFC 7592 on `/oidc/register/:client_id`: authorize (registration access token) → GET reads,
 * PUT replaces, DELETE removes. Where the profile has no management, every such path is a 404.
 */
export function managementHandler(registrar: Registrar): Handler {
  if (!registrar.profile.management) {
    return (ex) => {
      throw new NotFound(
        `${ex.req.method} ${ex.path}: the ${registrar.profile.name} profile has no RFC 7592 client management; use --profile rfc7591`,
      );
    };
  }
  return async (ex) => {
    const method = ex.req.method ?? 'GET';
    if (!['GET', 'PUT', 'DELETE'].includes(method)) {
      throw new OAuthError(405, 'invalid_request', `${method} is not allowed here; use GET, PUT or DELETE`, {
        allow: 'GET, PUT, DELETE',
      });
    }
    const clientId = decodeClientId(ex.path.slice(CLIENT_URI_PREFIX.length));
    // Read the body first, so that a refused request leaves the connection clean for the next one.
    const text = method === 'PUT' ? await readBody(ex.req) : '';
    const client = registrar.authorize(clientId, bearerToken(ex.req));
    // RFC 7592 §2: an unknown client and a wrong token get the same 401.
    if (!client) throw new InvalidToken('the registration access token must be the one issued for this client');
    ex.clientId = client.client_id;
    switch (method) {
      case 'GET':
        return sendJson(ex.res, 200, await registrar.read(client), NO_STORE);
      case 'PUT':
        ex.text = text;
        return sendJson(ex.res, 200, await registrar.update(client, parseJson(text)), NO_STORE);
      default:
        await registrar.remove(client);
        writeHead(ex.res, 204, NO_STORE);
        ex.res.end();
    }
  };
}

function decodeClientId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidClientMetadata('request body must be valid JSON');
  }
}
