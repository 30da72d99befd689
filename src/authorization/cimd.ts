import { OAuthError } from '../errors.js';
import { isObject } from '../is-object.js';
import type { AuthClient } from './clients.js';

/** Auth0's limits on a Client ID Metadata Document and its URL. */
export const MAX_URL_BYTES = 120;
export const MAX_DOCUMENT_BYTES = 5 * 1024;
export const FETCH_TIMEOUT_MS = 3000;
const AUTH_METHODS = ['none', 'private_key_jwt'];
/** Documents kept at most (fetched or imported); past it the oldest fetched one is forgotten. */
const MAX_DOCUMENTS = 10_000;

/** Where documents may be fetched from: loopback hosts only (tests serve theirs there), or any host. */
export const CIMD_FETCH = ['loopback', 'any'] as const;
export type CimdFetch = (typeof CIMD_FETCH)[number];

/** A document that failed Auth0's rules, said so that its author knows what to fix. */
export class CimdError extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_client', description);
  }
}

/** A document as dcr-mock keeps it: the client it describes. */
export interface CimdClient {
  readonly client_id: string;
  readonly client_name: string;
  readonly redirect_uris: string[];
  readonly token_endpoint_auth_method: 'none' | 'private_key_jwt';
  readonly jwks?: { keys: Record<string, unknown>[] } | undefined;
  readonly jwks_uri?: string | undefined;
  /** Where it came from: fixtures, the control plane, or a fetch. */
  readonly source: 'fixture' | 'import' | 'fetched';
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** True for a client_id that names a document rather than a stored client: an http(s) URL. */
export const isDocumentUrl = (clientId: string): boolean => /^https?:\/\//i.test(clientId);

/**
 * Auth0's rules for the URL: https with a path, at most 120 bytes, no query, fragment or credentials.
 * A loopback host may use http (tests have no certificates). Throws CimdError naming the rule.
 */
export function checkDocumentUrl(clientId: string): URL {
  if (Buffer.byteLength(clientId) > MAX_URL_BYTES) {
    throw new CimdError(
      `client_id must be a URL of at most ${MAX_URL_BYTES} bytes, got ${Buffer.byteLength(clientId)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw new CimdError(`client_id must be a URL, got ${JSON.stringify(clientId)}`);
  }
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new CimdError('client_id must be an https URL (http only on a loopback host)');
  }
  if (url.pathname === '/' || url.pathname === '') throw new CimdError('client_id must be a URL with a path');
  if (url.search !== '' || clientId.includes('?')) throw new CimdError('client_id must be a URL without a query');
  if (url.hash !== '' || clientId.includes('#')) throw new CimdError('client_id must be a URL without a fragment');
  if (url.username !== '' || url.password !== '') throw new CimdError('client_id must be a URL without credentials');
  return url;
}

/** Auth0's rules for the document itself. Throws CimdError naming the field. */
export function toCimdClient(document: unknown, url: string, source: CimdClient['source']): CimdClient {
  if (!isObject(document)) throw new CimdError(`the document at ${url} must be a JSON object`);
  if (document['client_id'] !== url) {
    throw new CimdError(
      `the document's client_id must equal its URL ${url}, got ${JSON.stringify(document['client_id'] ?? null)}`,
    );
  }
  const uris = document['redirect_uris'];
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string' && URL.canParse(u))) {
    throw new CimdError('the document must have redirect_uris, an array of absolute URIs');
  }
  const method = document['token_endpoint_auth_method'] ?? 'none';
  if (typeof method !== 'string' || !AUTH_METHODS.includes(method)) {
    throw new CimdError(
      `the document's token_endpoint_auth_method must be none or private_key_jwt, got ${JSON.stringify(method)}`,
    );
  }
  const jwks = document['jwks'];
  const jwksUri = document['jwks_uri'];
  if (method === 'private_key_jwt' && !(isObject(jwks) && Array.isArray(jwks['keys'])) && typeof jwksUri !== 'string') {
    throw new CimdError('a document with private_key_jwt must have jwks (with keys) or jwks_uri');
  }
  const name = document['client_name'];
  return {
    client_id: url,
    client_name: typeof name === 'string' && name !== '' ? name : url,
    redirect_uris: uris as string[],
    token_endpoint_auth_method: method as CimdClient['token_endpoint_auth_method'],
    ...(isObject(jwks) && Array.isArray(jwks['keys']) && { jwks: jwks as CimdClient['jwks'] }),
    ...(typeof jwksUri === 'string' && { jwks_uri: jwksUri }),
    source,
  };
}

/** A CIMD client as the authorization server sees it: always a strict third-party client. */
export function authClientOfDocument(client: CimdClient): AuthClient {
  return {
    client_id: client.client_id,
    name: client.client_name,
    secret: undefined,
    authMethod: client.token_endpoint_auth_method,
    redirectUris: client.redirect_uris,
    grantTypes: ['authorization_code', 'refresh_token'],
    isPublic: client.token_endpoint_auth_method === 'none',
    strict: true,
    firstParty: false,
    jwks: client.jwks,
    jwksUri: client.jwks_uri,
  };
}

export interface CimdOptions {
  readonly fetchFrom: CimdFetch;
  readonly documents?: readonly unknown[] | undefined;
  /** Injected for tests; default global fetch. */
  readonly fetch?: typeof fetch;
}

/** Client ID Metadata Documents: preloaded, imported, or fetched on first use (no redirects, 5 KB, a timeout), cached. */
export class CimdClients {
  readonly #options: CimdOptions;
  readonly #documents = new Map<string, CimdClient>();
  readonly #fixtures: CimdClient[];

  constructor(options: CimdOptions) {
    this.#options = options;
    this.#fixtures = (options.documents ?? []).map((document, i) => {
      const url = isObject(document) && typeof document['client_id'] === 'string' ? document['client_id'] : '';
      try {
        checkDocumentUrl(url);
        return toCimdClient(document, url, 'fixture');
      } catch (err) {
        if (err instanceof CimdError) throw new CimdError(`cimd[${i}]: ${err.description}`);
        throw err;
      }
    });
    this.reset();
  }

  /** The client a URL names, if already known (preloaded, imported or fetched). */
  get(url: string): CimdClient | undefined {
    return this.#documents.get(url);
  }

  list(): CimdClient[] {
    return [...this.#documents.values()];
  }

  /** Auth0's import (`POST /api/v2/clients/cimd/register`): checks and keeps a document. */
  import(document: unknown): CimdClient {
    const url = isObject(document) && typeof document['client_id'] === 'string' ? document['client_id'] : '';
    checkDocumentUrl(url);
    const client = toCimdClient(document, url, 'import');
    this.#keep(client);
    return client;
  }

  /** The client a URL names, fetching its document when it is not known yet. Throws CimdError. */
  async load(clientId: string): Promise<CimdClient> {
    const known = this.#documents.get(clientId);
    if (known) return known;
    const url = checkDocumentUrl(clientId);
    if (this.#options.fetchFrom === 'loopback' && !LOOPBACK.test(url.hostname)) {
      throw new CimdError(
        `client_id ${clientId} must be a document this server knows: it fetches from loopback hosts only (--cimd-fetch any fetches from any host; POST /__dcr/cimd imports one)`,
      );
    }
    const client = toCimdClient(await this.#fetch(url), clientId, 'fetched');
    this.#keep(client);
    return client;
  }

  /** Back to the preloaded documents (a reset). */
  reset(): void {
    this.#documents.clear();
    for (const client of this.#fixtures) this.#documents.set(client.client_id, client);
  }

  #keep(client: CimdClient): void {
    this.#documents.set(client.client_id, client);
    if (this.#documents.size > MAX_DOCUMENTS) {
      const oldest = [...this.#documents.values()].find((c) => c.source === 'fetched');
      if (oldest) this.#documents.delete(oldest.client_id);
    }
  }

  async #fetch(url: URL): Promise<unknown> {
    const get = this.#options.fetch ?? fetch;
    let response: Response;
    try {
      response = await get(url, {
        redirect: 'manual',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (err) {
      throw new CimdError(`the document at ${url.href} could not be fetched: ${(err as Error).message}`);
    }
    if (response.status >= 300 && response.status < 400) {
      throw new CimdError(`the document at ${url.href} must be served without a redirect, got ${response.status}`);
    }
    if (response.status !== 200)
      throw new CimdError(`the document at ${url.href} must be served with 200, got ${response.status}`);
    const text = await readLimited(response, url);
    try {
      return JSON.parse(text);
    } catch {
      throw new CimdError(`the document at ${url.href} must be JSON`);
    }
  }
}

async function readLimited(response: Response, url: URL): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader.cancel();
      throw new CimdError(`the document at ${url.href} must be at most ${MAX_DOCUMENT_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
