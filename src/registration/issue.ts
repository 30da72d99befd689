import type { Store } from '../store/store.js';
import type { ClientRecord } from '../store/shape.js';
import { CONTENT_KEY_FIELD, ContentCounters, type IdScheme, contentCredentialKey, contentHash } from './content-ids.js';
import type { CredentialFactory } from './credentials.js';
import type { ClientMetadata } from './metadata.js';
import { type ProfileSpec, clientResponse } from './profiles.js';

/** A registration issued but not yet stored: what persisting it writes and what the client is answered. */
export interface Issued {
  /** Its place in the credential sequence. */
  readonly n: number;
  readonly record: ClientRecord;
  readonly response: Record<string, unknown>;
  readonly content: { readonly hash: string; readonly index: number } | undefined;
}

export interface IssueOptions {
  readonly profile: ProfileSpec;
  readonly credentials: CredentialFactory;
  readonly clock: () => Date;
  /** Credentials from the sequence (default) or from the request's content. */
  readonly ids?: IdScheme;
  readonly oidcRules: boolean;
  /** The issuer, base of registration_client_uri (known once the server listens). */
  readonly issuer?: () => string;
}

/**
 * Issues registrations: credentials drawn for the next place in the sequence (or for the content),
 * shaped as the profile answers. `issue` has no side effect, so a failure can preview its answer;
 * `commit` stores it.
 */
export class ClientIssuer {
  readonly #o: IssueOptions;
  readonly #counters: ContentCounters;

  constructor(
    readonly store: Store,
    options: IssueOptions,
  ) {
    this.#o = options;
    this.#counters = new ContentCounters(() => store.db.data.meta);
    if (options.ids === 'content') this.#counters.recount(store.clients);
  }

  issue(metadata: ClientMetadata): Issued {
    const { profile, credentials: factory, clock } = this.#o;
    let n = this.store.sequence + 1;
    const hash = this.#o.ids === 'content' ? contentHash(metadata) : undefined;
    const content = hash === undefined ? undefined : { hash, index: this.#counters.next(hash) };
    let key = content ? contentCredentialKey(content.hash, content.index) : n;
    let credentials = factory.issue(key, profile.idPrefix);
    // Only a hand-edited db.json can hold an id the sequence would issue again; never hand out a duplicate.
    while (this.store.has(credentials.client_id)) {
      if (!content) n++;
      credentials = factory.issue(++key, profile.idPrefix);
    }
    const registrationAccessToken = profile.management ? factory.token(`rat:${credentials.client_id}`) : undefined;
    const now = clock();
    const response = clientResponse(profile, metadata, credentials, {
      issuedAt: Math.floor(now.getTime() / 1000),
      registrationAccessToken,
      oidcRules: this.#o.oidcRules,
    });
    const record: ClientRecord = {
      id: credentials.client_id,
      client_id: credentials.client_id,
      ...response,
      created_at: now.toISOString(),
      ...(content ? { [CONTENT_KEY_FIELD]: `${content.hash}:${content.index}` } : {}),
    };
    return { n, record, response: this.withUri(response), content };
  }

  /** Stores an issued registration. Durable on return. */
  commit(issued: Issued): void {
    this.store.add(issued.record, issued.n);
    if (issued.content) this.#counters.count(issued.content.hash, issued.content.index);
  }

  /** RFC 7592's registration_client_uri, where the profile has management. */
  withUri(response: Record<string, unknown>): Record<string, unknown> {
    if (!this.#o.profile.management || !this.#o.issuer) return response;
    const uri = `${this.#o.issuer()}oidc/register/${encodeURIComponent(String(response['client_id']))}`;
    return { ...response, registration_client_uri: uri };
  }
}
