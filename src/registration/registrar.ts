import type { IdScheme } from '../config.js';
import { InvalidClientMetadata } from '../errors.js';
import { sameToken } from '../http/bearer.js';
import { isoTime } from '../iso-time.js';
import type { Store } from '../store/store.js';
import type { ClientRecord } from '../store/shape.js';
import { CONTENT_KEY_FIELD, ContentCounters, contentCredentialKey, contentHash } from './content-ids.js';
import { CredentialFactory } from './credentials.js';
import type { ClientMetadata } from './metadata.js';
import { type ProfileSpec, clientResponse } from './profiles.js';
import { applySoftwareStatement } from './software-statement.js';
import type { VerificationKeys } from './statement-keys.js';
import type { Fixture } from './fixtures.js';
import { validateClientMetadata } from './validate.js';
import { isObject } from '../is-object.js';

export interface RegistrarOptions {
  /** The issuer, base of registration_client_uri (known once the server listens). */
  readonly issuer?: () => string;
  /** Credentials from the sequence (default) or from the request's content. */
  readonly ids?: IdScheme;
  /** OIDC Registration 1.0 rules; the profile decides when undefined. */
  readonly oidcRules?: boolean | undefined;
  /** Verify software statements with these keys; decode them only when undefined. */
  readonly softwareStatementKeys?: VerificationKeys | undefined;
  /** RFC 7592: a new registration access token on each use. */
  readonly rotateRegistrationToken?: boolean;
}

/** Fields of a stored client that no answer shows. */
const STORED_ONLY = new Set(['id', 'created_at', CONTENT_KEY_FIELD]);

/** Registers clients: validate → issue → persist; and, where the profile has RFC 7592, reads, updates, deletes them. */
export class Registrar {
  readonly #credentials: CredentialFactory;
  readonly #options: RegistrarOptions;
  readonly #oidcRules: boolean;
  readonly #counters: ContentCounters;

  constructor(
    readonly store: Store,
    readonly profile: ProfileSpec,
    seed: string,
    readonly clock: () => Date,
    options: RegistrarOptions = {},
  ) {
    this.#credentials = new CredentialFactory(seed);
    this.#options = options;
    this.#oidcRules = options.oidcRules ?? profile.oidcRules ?? false;
    this.#counters = new ContentCounters(() => store.db.data.meta);
    if (options.ids === 'content') this.#counters.recount(store.clients);
  }

  /** Throws an OAuthError for bad metadata; stores nothing and advances nothing then. */
  async register(body: unknown): Promise<Record<string, unknown>> {
    // The statement is verified first: from the sequence number read to the client stored, nothing awaits.
    const { n, record, response, content } = this.#next(await this.#withStatement(body));
    this.store.add(record, n);
    if (content) this.#counters.count(content.hash, content.index);
    return response;
  }

  /** A fixture as the store keeps it: shaped like a registration of its metadata, with its own credentials. */
  fixtureRecord(fixture: Fixture): ClientRecord {
    const credentials = { client_id: fixture.client_id, client_secret: fixture.client_secret ?? '' };
    const response = clientResponse(this.profile, fixture.metadata, credentials, {
      issuedAt: this.#now(),
      registrationAccessToken: this.profile.management
        ? this.#credentials.token(`rat:${fixture.client_id}`)
        : undefined,
      oidcRules: this.#oidcRules,
    });
    return { id: fixture.client_id, client_id: fixture.client_id, ...response, created_at: isoTime(this.clock()) };
  }

  /** The answer the next registration of this body would get, without storing it or advancing anything. */
  async preview(body: unknown): Promise<Record<string, unknown>> {
    return this.#next(await this.#withStatement(body)).response;
  }

  /**
   * RFC 7592 §2: the client this registration access token manages. An unknown client and a wrong
   * token are one answer (undefined), and the comparison runs either way, in constant time.
   */
  authorize(clientId: string, token: string | undefined): ClientRecord | undefined {
    const client = this.store.get(clientId);
    const expected = client?.client_id === clientId ? client['registration_access_token'] : undefined;
    const match = sameToken(token ?? '', typeof expected === 'string' ? expected : '\u0000');
    return match && token !== undefined && typeof expected === 'string' ? client : undefined;
  }

  /** RFC 7592 §2.1: the client as registered, with a new token when rotation is on. */
  async read(client: ClientRecord): Promise<Record<string, unknown>> {
    if (!this.#options.rotateRegistrationToken) return this.#view(client);
    const rotated = { ...client, registration_access_token: this.#nextToken(client) };
    await this.store.replace(rotated);
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
    const metadata = this.#metadata(await this.#withStatement(body));
    const issuedAt = client['client_id_issued_at'];
    const response = clientResponse(
      this.profile,
      metadata,
      // A client that was `none` and now needs a secret gets one derived from its id, the same on every run.
      {
        client_id: client.client_id,
        client_secret: current ?? this.#credentials.token(`secret:${client.client_id}`, 64),
      },
      {
        issuedAt: typeof issuedAt === 'number' ? issuedAt : this.#now(),
        registrationAccessToken: this.#options.rotateRegistrationToken
          ? this.#nextToken(client)
          : (client['registration_access_token'] as string),
        oidcRules: this.#oidcRules,
      },
    );
    const record: ClientRecord = { id: client.id, client_id: client.client_id, ...response };
    for (const field of STORED_ONLY) if (field !== 'id' && client[field] !== undefined) record[field] = client[field];
    await this.store.replace(record);
    return this.#withUri(response);
  }

  /** RFC 7592 §2.3. */
  async remove(client: ClientRecord): Promise<void> {
    await this.store.remove(client.id);
  }

  #next(body: unknown) {
    const metadata = this.#metadata(body);
    let n = this.store.sequence + 1;
    const hash = this.#options.ids === 'content' ? contentHash(metadata) : undefined;
    const content = hash === undefined ? undefined : { hash, index: this.#counters.next(hash) };
    let key = content ? contentCredentialKey(content.hash, content.index) : n;
    let credentials = this.#credentials.issue(key, this.profile.idPrefix);
    // Only a hand-edited db.json can hold an id the sequence would issue again; never hand out a duplicate.
    while (this.store.has(credentials.client_id)) {
      if (!content) n++;
      credentials = this.#credentials.issue(++key, this.profile.idPrefix);
    }
    const registrationAccessToken = this.profile.management
      ? this.#credentials.token(`rat:${credentials.client_id}`)
      : undefined;
    const now = this.clock();
    const response = clientResponse(this.profile, metadata, credentials, {
      issuedAt: this.#now(now),
      registrationAccessToken,
      oidcRules: this.#oidcRules,
    });
    const record: ClientRecord = {
      id: credentials.client_id,
      client_id: credentials.client_id,
      ...response,
      created_at: isoTime(now),
      ...(content ? { [CONTENT_KEY_FIELD]: `${content.hash}:${content.index}` } : {}),
    };
    return { n, record, response: this.#withUri(response), content };
  }

  /** The body with a software statement's claims applied (RFC 7591 §2.3), once the statement verifies. */
  #withStatement(body: unknown): Promise<unknown> {
    return applySoftwareStatement(body, this.#options.softwareStatementKeys, this.clock());
  }

  #metadata(body: unknown): ClientMetadata {
    return validateClientMetadata(body, { oidcRules: this.#oidcRules });
  }

  /** A stored client as RFC 7592 shows it. */
  #view(client: ClientRecord): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(client)) if (!STORED_ONLY.has(field)) view[field] = value;
    return this.#withUri(view);
  }

  #withUri(response: Record<string, unknown>): Record<string, unknown> {
    if (!this.profile.management || !this.#options.issuer) return response;
    const uri = `${this.#options.issuer()}oidc/register/${encodeURIComponent(String(response['client_id']))}`;
    return { ...response, registration_client_uri: uri };
  }

  /** Each token is drawn from the one it replaces, so a run of rotations is the same on every run. */
  #nextToken(client: ClientRecord): string {
    return this.#credentials.token(`rat:${client.client_id}:${String(client['registration_access_token'])}`);
  }

  /** `date` (the clock's now by default) in seconds, as client_id_issued_at has it. */
  #now(date: Date = this.clock()): number {
    return Math.floor(date.getTime() / 1000);
  }
}
