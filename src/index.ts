import { type DcrMockOptions, resolveConfig } from './config.js';
import type { JournalEntry } from './control/journal.js';
import { ruleView } from './control/rules-view.js';
import { type FailureRuleInput, parseFailSpec, toFailureRule } from './failures/spec.js';
import { startServer } from './server.js';
import type { ClientRecord } from './store/shape.js';

export { DEFAULTS, type DcrMockOptions, type Profile } from './config.js';
export type { IdScheme } from './config.js';
export { OAuthError, StartupError } from './errors.js';
export { MODES, MODE_NAMES, type Mode } from './failures/catalogue.js';
export { FailSpecError, type FailureRuleInput } from './failures/spec.js';
export type { ClientRecord } from './store/shape.js';
export type { JournalEntry } from './control/journal.js';

/** A failure rule in force, as `GET /__dcr/failures` shows it. */
export type ActiveRuleView = Record<string, unknown> & { id: string; mode: string; source: string };

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
  /** The request journal, newest first. */
  requests(): JournalEntry[];
  /** Adds run-time failure rules (a spec such as "rate_limited:times=2", or a rule object); returns them with their ids. */
  fail(spec: string | FailureRuleInput): ActiveRuleView[];
  /** Removes every run-time rule. */
  clearFailures(): void;
  /** Forgets clients, journal and run-time rules; rewinds the credential sequence and the seeded draws. */
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
 * mock.fail('rate_limited:times=1');
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
    requests: () => structuredClone(server.journal.list()),
    fail: (spec) => {
      const rules = typeof spec === 'string' ? parseFailSpec(spec) : [toFailureRule(spec)];
      return rules.map((rule) => ruleView(server.plan.add(rule)) as ActiveRuleView);
    },
    clearFailures: () => server.plan.clearRuntime(),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

