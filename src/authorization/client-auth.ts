import type { IncomingHttpHeaders } from 'node:http';
import { type JSONWebKeySet, createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { OAuthError } from '../errors.js';
import { type AuthClient, secretMatches } from './clients.js';
import { InvalidClient, InvalidRequest } from './errors.js';

/** RFC 6749 §5.2: a client that tried the Authorization header is told how to authenticate. */
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="dcr-mock"' };

interface Presented {
  readonly method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
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
  const assertion = params['client_assertion'];
  if (assertion !== undefined || params['client_assertion_type'] !== undefined) {
    if (params['client_assertion_type'] !== JWT_BEARER) {
      throw new InvalidClient(`client_assertion_type must be ${JWT_BEARER}`);
    }
    if (assertion === undefined || assertion === '') throw new InvalidClient('client_assertion must be given');
    let claimed: string | undefined;
    try {
      const iss = decodeJwt(assertion).iss;
      claimed = typeof iss === 'string' ? iss : undefined;
    } catch {
      throw new InvalidClient('client_assertion must be a JWT');
    }
    return { method: 'private_key_jwt', clientId: params['client_id'] ?? claimed, secret: undefined };
  }
  const secret = params['client_secret'];
  return { method: secret === undefined ? 'none' : 'client_secret_post', clientId: params['client_id'], secret };
}

/** RFC 7523 §2.2. */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * RFC 7523 §3: the assertion is signed by one of the client's keys, with iss and sub the client, aud this
 * server (its issuer or its token endpoint), and an exp to come.
 */
async function verifyAssertion(
  assertion: string,
  client: AuthClient,
  audiences: readonly string[],
  now: Date,
): Promise<void> {
  const keys = client.jwks
    ? createLocalJWKSet(client.jwks as unknown as JSONWebKeySet)
    : client.jwksUri
      ? createRemoteJWKSet(new URL(client.jwksUri))
      : undefined;
  if (!keys) throw new InvalidClient('the client has no keys to check its client_assertion with');
  try {
    const { payload } = await jwtVerify(assertion, keys, {
      issuer: client.client_id,
      subject: client.client_id,
      audience: [...audiences],
      currentDate: now,
      requiredClaims: ['exp'],
    });
    void payload;
  } catch (err) {
    throw new InvalidClient(
      `client_assertion must be signed by the client's keys, for this server: ${(err as Error).message}`,
    );
  }
}

/**
 * The client a token or revocation request comes from, authenticated as it registered
 * (`client_secret_post`, `client_secret_basic` or `none`). Throws `401 invalid_client` otherwise.
 */
export async function authenticateClient(
  params: Readonly<Record<string, string | undefined>>,
  headers: IncomingHttpHeaders,
  lookup: (clientId: string) => AuthClient | undefined | Promise<AuthClient | undefined>,
  assertion: { readonly audiences: readonly string[]; readonly now: Date } = { audiences: [], now: new Date() },
): Promise<AuthClient> {
  const given = presented(params, headers);
  const challenge = given.method === 'client_secret_basic' ? BASIC_CHALLENGE : {};
  if (given.clientId === undefined || given.clientId === '') {
    throw new InvalidClient(
      'client_id must be given (in the body, or with client_secret_basic in the Authorization header)',
    );
  }
  const client = await lookup(given.clientId);
  if (!client) throw new InvalidClient(`Unknown client: ${given.clientId}`, challenge);
  if (client.authMethod === 'private_key_jwt' || given.method === 'private_key_jwt') {
    if (given.method !== client.authMethod) {
      throw new InvalidClient(
        `the client must authenticate with ${client.authMethod}, as registered, not ${given.method}`,
      );
    }
    await verifyAssertion(params['client_assertion']!, client, assertion.audiences, assertion.now);
    return client;
  }
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

/** The client a token or revocation request names; a document that breaks Auth0's rules is `invalid_client`. */
export async function lookup(
  service: { lookup(clientId: string): Promise<AuthClient | undefined> },
  clientId: string,
): Promise<AuthClient | undefined> {
  try {
    return await service.lookup(clientId);
  } catch (err) {
    if (err instanceof OAuthError) throw new InvalidClient(err.description);
    throw err;
  }
}
