import type { IncomingHttpHeaders } from 'node:http';
import { type AuthClient, secretMatches } from './clients.js';
import { InvalidClient, InvalidRequest } from './errors.js';

/** RFC 6749 §5.2: a client that tried the Authorization header is told how to authenticate. */
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="dcr-mock"' };

interface Presented {
  readonly method: 'client_secret_basic' | 'client_secret_post' | 'none';
  readonly clientId: string | undefined;
  readonly secret: string | undefined;
}

/** RFC 6749 §2.3.1: `Basic base64(urlencode(id):urlencode(secret))`. */
function basic(header: string): { clientId: string; secret: string } {
  const encoded = header.slice('basic '.length).trim();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (encoded === '' || colon === -1) {
    throw new InvalidClient('the Authorization header must be Basic base64(client_id:client_secret)', BASIC_CHALLENGE);
  }
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new InvalidClient('the Basic credentials must be form-urlencoded before base64', BASIC_CHALLENGE);
  }
}

function presented(params: Readonly<Record<string, string | undefined>>, headers: IncomingHttpHeaders): Presented {
  const authorization = headers.authorization;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    const { clientId, secret } = basic(authorization);
    if (params['client_secret'] !== undefined) {
      throw new InvalidRequest(
        'the client must authenticate one way: client_secret in the body and in the Authorization header',
      );
    }
    if (params['client_id'] !== undefined && params['client_id'] !== clientId) {
      throw new InvalidRequest('client_id in the body must be the one of the Authorization header');
    }
    return { method: 'client_secret_basic', clientId, secret };
  }
  const secret = params['client_secret'];
  return { method: secret === undefined ? 'none' : 'client_secret_post', clientId: params['client_id'], secret };
}

/**
 * The client a token or revocation request comes from, authenticated as it registered
 * (`client_secret_post`, `client_secret_basic` or `none`). Throws `401 invalid_client` otherwise.
 */
export function authenticateClient(
  params: Readonly<Record<string, string | undefined>>,
  headers: IncomingHttpHeaders,
  lookup: (clientId: string) => AuthClient | undefined,
): AuthClient {
  const given = presented(params, headers);
  const challenge = given.method === 'client_secret_basic' ? BASIC_CHALLENGE : {};
  if (given.clientId === undefined || given.clientId === '') {
    throw new InvalidClient(
      'client_id must be given (in the body, or with client_secret_basic in the Authorization header)',
    );
  }
  const client = lookup(given.clientId);
  if (!client) throw new InvalidClient(`Unknown client: ${given.clientId}`, challenge);
  if (client.isPublic) {
    if (given.method !== 'none') {
      throw new InvalidClient(
        'the client must send no secret: it is registered with token_endpoint_auth_method none',
        challenge,
      );
    }
    return client;
  }
  if (given.method === 'none') {
    throw new InvalidClient(
      `client_secret must be given: the client is registered with token_endpoint_auth_method ${client.authMethod}`,
    );
  }
  if (given.method !== client.authMethod) {
    throw new InvalidClient(
      `the client must authenticate with ${client.authMethod}, as registered, not ${given.method}`,
      challenge,
    );
  }
  if (!secretMatches(client.secret, given.secret ?? '')) {
    throw new InvalidClient('Wrong client_secret: it must be the one the registration returned', challenge);
  }
  return client;
}
