/**
 * dcr-mock from code: `startDcrMock()` runs the same server as the `dcr-mock` command, with the
 * same options, and hands back a handle to steer it. Made for tests, it listens on a free port and
 * keeps its store in memory unless told otherwise.
 *
 * @packageDocumentation
 */
import { API_DEFAULTS, type Config, type DcrMockOptions, readConfigFile, resolveConfig } from './config.js';
import type { JournalEntry } from './control/journal.js';
import { StartupError } from './errors.js';
import { type FailureRuleView, ruleView } from './control/rules-view.js';
import { type FailureRuleInput, parseFailSpec, toFailureRule } from './failures/spec.js';
import { type RunningIssuer, startServer } from './server.js';
import type { ClientRecord } from './store/shape.js';
import type { CimdClient } from './authorization/cimd.js';
import type { CodeGrant } from './authorization/codes.js';
import type { IssuedTokenEntry } from './authorization/issued.js';
import type { PlayOptions } from './authorization/player.js';
import type { RefreshFamilyView } from './authorization/refresh-tokens.js';
import type { User } from './authorization/users.js';

export { API_DEFAULTS, DEFAULTS, type DcrMockOptions, type LogFormat, type Profile } from './config.js';
export type { IdScheme } from './config.js';
export { OAuthError, StartupError } from './errors.js';
export { MODES, MODE_NAMES, type Mode } from './failures/catalogue.js';
export type { RuleSource } from './failures/rules.js';
export { FailSpecError, type FailureRuleInput } from './failures/spec.js';
export type { FixtureClient } from './registration/fixtures.js';
export type { ClientMetadata } from './registration/metadata.js';
export type { ClientRecord } from './store/shape.js';
export type { CimdClient } from './authorization/cimd.js';
export type { CodeGrant } from './authorization/codes.js';
export type { IssuedTokenEntry } from './authorization/issued.js';
export type { PlayOptions } from './authorization/player.js';
export type { RefreshFamilyRecord } from './authorization/refresh-records.js';
export type { RefreshFamilyView } from './authorization/refresh-tokens.js';
export type { User } from './authorization/users.js';
export type { LoginMode } from './authorization/authorize.js';
export type { JournalEntry } from './control/journal.js';
export type { FailureRuleView } from './control/rules-view.js';

/** A failure rule in force; another name for {@link FailureRuleView}. */
export type ActiveRuleView = FailureRuleView;

/** What {@link startDcrMock} takes: every option of the CLI, plus the config file it may read. */
export interface StartOptions extends DcrMockOptions {
  /**
   * A JSON config file, as the CLI's `--config`; the options given here win over it. Unlike the CLI,
   * `startDcrMock` reads no `dcr-mock.config.json` unless it is named here.
   */
  config?: string;
}

/**
 * One issuer of a running dcr-mock: the default one (the {@link DcrMock} itself) or a tenant's
 * ({@link DcrMock.tenant}). Each has its own store, rules, clock, signing keys, credential sequence and journal.
 */
export interface DcrMockIssuer {
  /** Base URL, e.g. `http://127.0.0.1:4000` (no trailing slash). */
  readonly url: string;
  /** The advertised issuer, ending in `/`; a tenant's is `${url}/t/NAME/`. */
  readonly issuer: string;
  /** Where to POST registrations: `${issuer}oidc/register`. */
  readonly registrationEndpoint: string;
  /** A copy of the stored clients (fixtures included), oldest first. */
  clients(): ClientRecord[];
  /** The request journal (control-plane requests excepted), newest first. */
  requests(): JournalEntry[];
  /**
   * Adds failure rules at run time; they win over the rules given at start. Takes a spec such as
   * `"rate_limited:times=2"` (several separated by `;`) or a rule object, and returns the rules added
   * with their ids. A bad spec or rule throws a {@link FailSpecError} that names the bad part.
   *
   * @example
   * mock.fail('rate_limited:times=2');
   * mock.fail({ mode: 'service_unavailable', times: 1, retry_after: 5 });
   */
  fail(spec: string | FailureRuleInput): FailureRuleView[];
  /**
   * Moves the server's clock forward by `seconds` (as `POST /__dcr/clock {"advance": seconds}`), so that
   * codes and tokens expire without waiting; returns the new time. `reset()` moves it back.
   */
  advanceClock(seconds: number): Date;
  /**
   * Plays the user of an authorization URL headlessly (as `POST /__dcr/authorize`): follows `/authorize`,
   * answers its login and consent pages (`decision`, default accept), logs in as `user` (a sub or email,
   * in every login mode; it is sent as `login_hint`), and returns the URL the client's redirect URI
   * receives, with its `code` and `state` (or its `error`). An unknown user is refused, and no code issued.
   */
  authorize(url: string | URL, options?: PlayOptions): Promise<string>;
  /** The users /authorize may log in as, the default user first. */
  users(): User[];
  /**
   * Codes not yet redeemed, and every refresh-token family with its `state` (`live`, `expired` or
   * `revoked`, whose `revoked_reason` says `reuse` or `revoked`) and `expires_at` (seconds).
   */
  grants(): { codes: CodeGrant[]; refresh_tokens: RefreshFamilyView[] };
  /** Access and id tokens issued (the last 500), with their decoded header and claims. */
  tokens(): IssuedTokenEntry[];
  /** Revokes every live refresh-token family; returns how many it revoked (expired ones are left, uncounted). */
  revokeAll(): Promise<number>;
  /** Rotates the signing key: a new key signs, the old stays published. */
  rotateKeys(): Promise<{ kid: string; kids: string[] }>;
  /** Imports a Client ID Metadata Document (with `cimd: true`), as Auth0's import does; returns the client it describes. */
  importDocument(document: Record<string, unknown>): CimdClient;
  /** Removes every rule added at run time; the rules given at start stay. */
  clearFailures(): void;
  /**
   * As `POST /__dcr/reset` (a tenant's at `/t/NAME/__dcr/reset`): back to the fixtures (other clients forgotten), journal emptied, run-time
   * rules removed, codes, tokens and refresh-token families forgotten, the counters of the other rules,
   * the credential sequence, the seeded draws, the clock and the signing keys rewound.
   */
  reset(): Promise<void>;
}

/** A running dcr-mock: its default issuer, its tenants, and the stop. */
export interface DcrMock extends DcrMockIssuer {
  /** The tenants it serves (the `tenants` option), in the order given; empty when there are none. */
  readonly tenants: readonly string[];
  /**
   * Tenant `name`'s handle, with the same members as the default issuer's, e.g. `mock.tenant('a').issuer`
   * (`${url}/t/a/`). Throws when the server was not started with that tenant.
   */
  tenant(name: string): DcrMockIssuer;
  /** As `POST /__dcr/reset`, which resets every tenant too (see {@link DcrMockIssuer.reset}). */
  reset(): Promise<void>;
  /** Stops the server and writes the store. Leaves no handle open; calling it again is harmless. */
  close(): Promise<void>;
}

/**
 * Starts a dcr-mock server. Takes the CLI's options with the CLI's defaults ({@link DEFAULTS}) but
 * three ({@link API_DEFAULTS}): a free port (read it back from `url`), a store in memory, and no
 * request log, so that every instance is on its own. Bad options, an unusable store, bad fixtures or
 * a port that is taken throw a {@link StartupError} whose message says what to fix.
 *
 * @example
 * const mock = await startDcrMock({ seed: 'ci', failures: ['rate_limited:times=1'] });
 * const res = await fetch(mock.registrationEndpoint, { method: 'POST', ... }); // 429, then 201s
 * await mock.close();
 */
export async function startDcrMock(options: StartOptions = {}): Promise<DcrMock> {
  const { config: configFile, ...rest } = options;
  const fromFile = configFile === undefined ? {} : readConfigFile(configFile, true);
  const config = resolveConfig(API_DEFAULTS, fromFile, rest as Record<string, unknown>);
  const server = await startServer(config).catch((err: unknown) => {
    throw listenError(err, config) ?? err;
  });
  const tenants = [...server.tenants.keys()];
  return {
    ...issuerHandle(server, server.url),
    tenants,
    tenant: (name) => {
      const tenant = server.tenants.get(name);
      if (tenant) return issuerHandle(tenant, server.url);
      const known = tenants.length === 0 ? 'none' : tenants.join(', ');
      throw new Error(
        `[dcr-mock] Failed to find the tenant ${JSON.stringify(name)}: this server's tenants are ${known}. Pass tenants: [${JSON.stringify(name)}] to startDcrMock to serve it.`,
      );
    },
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

function issuerHandle(server: RunningIssuer, url: string): DcrMockIssuer {
  return {
    url,
    issuer: server.issuer,
    registrationEndpoint: server.registrationEndpoint,
    clients: () => structuredClone([...server.store.clients]),
    requests: () => structuredClone(server.journal.list()),
    fail: (spec) => {
      const rules = typeof spec === 'string' ? parseFailSpec(spec) : [toFailureRule(spec)];
      return server.plan.addAll(rules).map(ruleView);
    },
    advanceClock: (seconds) => server.clock.advance(seconds),
    authorize: (url, play) => server.authorization.authorize(String(url), play),
    users: () => structuredClone([...server.authorization.users()]),
    grants: () => structuredClone(server.authorization.grants()),
    tokens: () => structuredClone([...server.authorization.tokens()]),
    revokeAll: () => server.authorization.revokeAll(),
    rotateKeys: () => server.authorization.rotateKeys(),
    importDocument: (document) => server.authorization.importDocument(document),
    clearFailures: () => server.plan.clearRuntime(),
    reset: () => server.reset(),
  };
}

/** Why a listen failed and what to do, said for code: the option to pass, not a flag. */
const LISTEN_FAILURES: Readonly<Record<string, (host: string, port: number) => string>> = {
  EADDRINUSE: (_host, port) => `port ${port} is in use. Pass port: 0 to listen on a free port (mock.url says which)`,
  EACCES: (_host, port) =>
    `this process may not listen on port ${port}. Pass port: 0 to listen on a free port (mock.url says which)`,
  EADDRNOTAVAIL: (host) => `${host} is not an address of this machine. Pass host: '127.0.0.1', or leave host out`,
};

function listenError(err: unknown, { host, port }: Config): StartupError | undefined {
  const code = String((err as NodeJS.ErrnoException)?.code);
  const why = Object.hasOwn(LISTEN_FAILURES, code) ? LISTEN_FAILURES[code]!(host, port) : undefined;
  return why === undefined
    ? undefined
    : new StartupError(`Failed to listen on ${host}:${port}: ${why}.`, 1, { cause: err });
}
