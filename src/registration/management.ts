import { InvalidClientMetadata, InvalidToken, NotFound, OAuthError } from '../errors.js';
import { bearerToken, sameToken } from '../http/bearer.js';
import { readBody } from '../http/body.js';
import type { Handler } from '../http/exchange.js';
import { NO_STORE, sendJson, writeHead } from '../http/respond.js';
import { isObject } from '../is-object.js';
import type { Store } from '../store/store.js';
import type { ClientRecord } from '../store/shape.js';
import { CONTENT_KEY_FIELD } from './content-ids.js';
import type { CredentialFactory } from './credentials.js';
import type { ClientIssuer } from './issue.js';
import type { ClientMetadata } from './metadata.js';
import { type ProfileSpec, clientResponse } from './profiles.js';

/** Where RFC 7592's client configuration endpoint lives: registration_client_uri is this plus the client_id. */
export const CLIENT_URI_PREFIX = '/oidc/register/';

/** Fields of a stored client that no answer shows. */
const STORED_ONLY = new Set(['id', 'created_at', CONTENT_KEY_FIELD]);

export interface ManagementOptions {
  readonly store: Store;
  readonly profile: ProfileSpec;
  readonly credentials: CredentialFactory;
  readonly clock: () => Date;
  readonly oidcRules: boolean;
  /** The metadata a body asks for, checked as a registration's (its software statement verified). */
  readonly metadataOf: (body: unknown) => Promise<ClientMetadata>;
  /** registration_client_uri. */
  readonly issuer: ClientIssuer;
  /** A new registration access token on each use. */
  readonly rotateRegistrationToken: boolean;
}

/** RFC 7592's client configuration endpoint: read, replace and delete a registration with its access token. */
export class ClientManager {
  readonly #o: ManagementOptions;

  constructor(options: ManagementOptions) {
    this.#o = options;
  }

  /**
   * RFC 7592 §2: the client this registration access token manages. An unknown client and a wrong
   * token are one answer (undefined), and the comparison runs either way, in constant time.
   */
  authorize(clientId: string, token: string | undefined): ClientRecord | undefined {
    const client = this.#o.store.get(clientId);
    const expected = client?.client_id === clientId ? client['registration_access_token'] : undefined;
    const match = sameToken(token ?? '', typeof expected === 'string' ? expected : '\u0000');
    return match && token !== undefined && typeof expected === 'string' ? client : undefined;
  }

  /** RFC 7592 §2.1: the client as registered, with a new token when rotation is on. */
  async read(client: ClientRecord): Promise<Record<string, unknown>> {
    if (!this.#o.rotateRegistrationToken) return this.#view(client);
    const rotated = { ...client, registration_access_token: this.#nextToken(client) };
    await this.#o.store.replace(rotated);
    return this.#view(rotated);
  }

  /**
   * RFC 7592 §2.2: the body replaces the registration. Omitted fields are dropped or take their
   * defaults; client_id must be the client's own; the secret is kept, and may be sent only unchanged.
   */
  async update(client: ClientRecord, body: unknown): Promise<Record<string, unknown>> {
    if (!isObject(body)) throw new InvalidClientMetadata('request body must be a JSON object');
    if (body['client_id'] !== client.client_id) {
      throw new InvalidClientMetadata('client_id must be given and be the client_id this registration was issued');
    }
    const current = typeof client['client_secret'] === 'string' ? client['client_secret'] : undefined;
    const sent = body['client_secret'];
    if (sent !== undefined && sent !== null && (typeof sent !== 'string' || !sameToken(sent, current ?? '\u0000'))) {
      throw new InvalidClientMetadata(
        'client_secret must be left out or be the secret issued: a client cannot choose its own',
      );
    }
    const { profile, credentials, clock } = this.#o;
    const metadata = await this.#o.metadataOf(body);
    const issuedAt = client['client_id_issued_at'];
    const response = clientResponse(
      profile,
      metadata,
      // A client that was `none` and now needs a secret gets one derived from its id, the same on every run.
      { client_id: client.client_id, client_secret: current ?? credentials.token(`secret:${client.client_id}`, 64) },
      {
        issuedAt: typeof issuedAt === 'number' ? issuedAt : Math.floor(clock().getTime() / 1000),
        registrationAccessToken: this.#o.rotateRegistrationToken
          ? this.#nextToken(client)
          : (client['registration_access_token'] as string),
        oidcRules: this.#o.oidcRules,
      },
    );
    const record: ClientRecord = { id: client.id, client_id: client.client_id, ...response };
    for (const field of STORED_ONLY) if (field !== 'id' && client[field] !== undefined) record[field] = client[field];
    await this.#o.store.replace(record);
    return this.#o.issuer.withUri(response);
  }

  /** RFC 7592 §2.3. */
  async remove(client: ClientRecord): Promise<void> {
    await this.#o.store.remove(client.id);
  }

  /** A stored client as RFC 7592 shows it. */
  #view(client: ClientRecord): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(client)) if (!STORED_ONLY.has(field)) view[field] = value;
    return this.#o.issuer.withUri(view);
  }

  /** Each token is drawn from the one it replaces, so a run of rotations is the same on every run. */
  #nextToken(client: ClientRecord): string {
    return this.#o.credentials.token(`rat:${client.client_id}:${String(client['registration_access_token'])}`);
  }
}

/**
 * RFC 7592 on `/oidc/register/:client_id`: authorize (registration access token) → GET reads,
 * PUT replaces, DELETE removes. Where the profile has no management, every such path is a 404.
 */
export function managementHandler(profile: ProfileSpec, manager: ClientManager): Handler {
  if (!profile.management) {
    return (ex) => {
      throw new NotFound(
        `${ex.req.method} ${ex.path}: the ${profile.name} profile has no RFC 7592 client management; use --profile rfc7591`,
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
    const client = manager.authorize(clientId, bearerToken(ex.req));
    // RFC 7592 §2: an unknown client and a wrong token get the same 401.
    if (!client) throw new InvalidToken('the registration access token must be the one issued for this client');
    ex.clientId = client.client_id;
    switch (method) {
      case 'GET':
        return sendJson(ex.res, 200, await manager.read(client), NO_STORE);
      case 'PUT':
        ex.text = text;
        return sendJson(ex.res, 200, await manager.update(client, parseJson(text)), NO_STORE);
      default:
        await manager.remove(client);
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
