import { type DcrMockOptions, resolveConfig } from './config.js';
import { startServer } from './server.js';
import type { ClientRecord } from './store/shape.js';

export { DEFAULTS, type DcrMockOptions, type Profile } from './config.js';
export { OAuthError, StartupError } from './errors.js';
export type { ClientRecord } from './store/shape.js';

/** A running dcr-mock. */
export interface DcrMock {
  /** Base URL, e.g. http://127.0.0.1:4000 (no trailing slash). */
  readonly url: string;
  /** The advertised issuer, ending in `/`. */
  readonly issuer: string;
  /** Where to POST registrations. */
  readonly registrationEndpoint: string;
  /** A copy of the registered clients. */
  clients(): ClientRecord[];
  /** Forgets every client and rewinds the credential sequence. */
  reset(): Promise<void>;
  /** Stops the server and writes the store; no handle is left open. */
  close(): Promise<void>;
}

/**
 * Starts a dcr-mock server. Takes the CLI's options (same defaults), except that it is quiet
 * unless `quiet: false` is given.
 *
 * @example
 * const mock = await startDcrMock({ port: 0, db: ':memory:' });
 * await fetch(mock.registrationEndpoint, { method: 'POST', body: JSON.stringify({ redirect_uris: ['http://localhost/cb'] }) });
 * await mock.close();
 */
export async function startDcrMock(options: DcrMockOptions = {}): Promise<DcrMock> {
  const config = resolveConfig({ quiet: true }, options as Record<string, unknown>);
  const server = await startServer(config);
  return {
    url: server.url,
    issuer: server.issuer,
    registrationEndpoint: server.registrationEndpoint,
    clients: () => structuredClone([...server.store.clients]),
    reset: () => server.store.reset(),
    close: () => server.close(),
  };
}
