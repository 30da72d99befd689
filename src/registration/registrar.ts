import type { Store } from '../store/store.js';
import type { ClientRecord } from '../store/shape.js';
import { CredentialFactory } from './credentials.js';
import type { Fixture } from './fixtures.js';
import { validateClientMetadata } from './validate.js';
import { type ProfileSpec, auth0Response } from './profiles.js';

/** Registers clients: validate → issue → persist. The handler around it does HTTP. */
export class Registrar {
  readonly #credentials: CredentialFactory;

  constructor(
    readonly store: Store,
    readonly profile: ProfileSpec,
    seed: string,
    readonly clock: () => Date,
  ) {
    this.#credentials = new CredentialFactory(seed);
  }

  /** Throws an OAuthError for bad metadata; stores nothing and advances nothing then. */
  register(body: unknown): Record<string, unknown> {
    const { n, response } = this.#next(body);
    this.store.add(this.#record(response), n);
    return response;
  }

  /** A fixture as the store keeps it: shaped like a registration of its metadata, with its own credentials. */
  fixtureRecord(fixture: Fixture): ClientRecord {
    const credentials = { client_id: fixture.client_id, client_secret: fixture.client_secret ?? '' };
    return this.#record(auth0Response(this.profile, fixture.metadata, credentials));
  }

  /** The answer the next registration of this body would get, without storing it or advancing anything. */
  preview(body: unknown): Record<string, unknown> {
    return this.#next(body).response;
  }

  #record(response: Record<string, unknown>): ClientRecord {
    const clientId = response['client_id'] as string;
    return { id: clientId, client_id: clientId, ...response, created_at: this.clock().toISOString() };
  }

  #next(body: unknown) {
    const metadata = validateClientMetadata(body);
    let n = this.store.sequence + 1;
    let credentials = this.#credentials.issue(n, this.profile.idPrefix);
    // Only a fixture or a hand-edited db.json can hold an id the sequence would issue again; never hand out a duplicate.
    while (this.store.has(credentials.client_id)) credentials = this.#credentials.issue(++n, this.profile.idPrefix);
    return { n, credentials, response: auth0Response(this.profile, metadata, credentials) };
  }
}
