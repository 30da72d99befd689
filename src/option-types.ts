import type { FailureRule, FailureRuleInput } from './failures/spec.js';
import type { RateLimit } from './limits/options.js';
import type { LogFormat } from './log.js';
import type { IdScheme } from './registration/content-ids.js';
import type { Fixture, FixtureClient } from './registration/fixtures.js';
import type { Profile } from './registration/profiles.js';
import type { KeySource } from './registration/statement-keys.js';
import type { Api } from './authorization/apis.js';
import type { CimdFetch } from './authorization/cimd.js';
import type { LoginMode } from './authorization/authorize.js';
import type { TokenDialect } from './authorization/tokens.js';
import type { User } from './authorization/users.js';

/** Options accepted by `startDcrMock`, the CLI (as flags and `DCR_MOCK_*` variables) and the config file. */
export interface DcrMockOptions {
  /** Port to listen on; 0 picks a free one. Default 4000 for the CLI, 0 for `startDcrMock`. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Path of the lowdb JSON file, or `:memory:`. Default ./db.json for the CLI, `:memory:` for `startDcrMock`. */
  db?: string;
  /** Seed of every generated value. Default "dcr-mock". */
  seed?: string | number;
  /** Which server to emulate. Default auth0. */
  profile?: Profile;
  /** Issuer and base of advertised endpoints. Default http://HOST:PORT/. */
  issuer?: string;
  /** The CLI's --tenant: names, repeatable, `a,b` for several. */
  tenant?: string | readonly string[];
  /**
   * Tenants to serve besides the default issuer, each at `/t/NAME/` on the same port with its own issuer,
   * clients, signing keys, failure rules, clock and store. Default: none.
   */
  tenants?: readonly string[];
  /** A fixed time for every timestamp dcr-mock generates (ISO 8601). Default: real time. */
  clock?: string | Date;
  /** No request log. */
  quiet?: boolean;
  /** Request log format. Default text. */
  log?: LogFormat;
  /** A file to write the base URL to once listening; removed at stop. Relative to the working directory. */
  urlFile?: string;
  /** Failure rules in force from the start: rule objects or specs such as "rate_limited:times=2". */
  failures?: ReadonlyArray<FailureRuleInput | string>;
  /** The CLI's --fail: specs, each like "server_error:rate=0.25". */
  fail?: string | readonly string[];
  /** Delay every registration: ms, or "MIN-MAX". */
  latency?: number | string;
  /** When set, /__dcr/* requires Authorization: Bearer <adminToken>. */
  adminToken?: string;
  /** Origins whose pages may use /__dcr/* and json-server's routes, besides loopback ones (e.g. https://app.example.com). */
  corsOrigin?: string | readonly string[];
  /** How credentials are derived: from the registration's place in the sequence, or from its metadata. Default sequence. */
  ids?: IdScheme;
  /** OpenID Connect Registration 1.0 rules (application_type, redirect URI schemes). Default: on in rfc7591 only. */
  oidcRules?: boolean;
  /** Registration requires `Authorization: Bearer <token>` with one of these; `@FILE` reads tokens from a file. */
  initialAccessToken?: string | readonly string[];
  /** The registration after this many stored clients gets Auth0's 403 too_many_entities. */
  maxClients?: number | string;
  /** A token bucket on registration: "R[/BURST]" (R per second), or "auth0" (5/s, burst 5). */
  rateLimit?: string | number;
  /** Verify software_statement signatures with this key: a file path, PEM text, a JWK or a JWK set. */
  softwareStatementKey?: string | Record<string, unknown>;
  /** RFC 7592: a new registration access token on each use of the old one. */
  rotateRegistrationToken?: boolean;
  /**
   * Clients to preload, idempotent by `client_id`: the path of a JSON file holding an array of clients or
   * `{"clients": [...]}` (in a config file, relative to that file), or the array itself. They keep the
   * credentials they declare and never advance the credential sequence; `POST /__dcr/reset` brings them back.
   * Default: none.
   */
  fixtures?: string | ReadonlyArray<FixtureClient>;
  /** How /authorize answers: auto (a redirect with no page), consent (Accept/Decline page), login (pick a user). Default auto. */
  login?: LoginMode;
  /** The CLI's --api: `ID` or `ID:scope scope…`, repeatable. */
  api?: string | readonly string[];
  /** APIs (audiences) and their scopes; with none, any audience is accepted. */
  apis?: ReadonlyArray<string | { identifier: string; scopes?: string[] }>;
  /** Users to log in as besides the default one: a JSON file (an array, or `{"users": [...]}`) or the array. */
  users?: string | ReadonlyArray<Record<string, unknown>>;
  /** Sign tokens with this private key (a JWK or PEM file) instead of the one derived from the seed. */
  signingKey?: string;
  /** RFC 9207: `iss` in authorization responses, advertised in the metadata. Default off, as on a new Auth0 tenant. */
  issParam?: boolean;
  /** Auth0's Resource Parameter Compatibility Profile: `resource` names the API. Default on. */
  resourceParam?: 'on' | 'off';
  /** Access token claims: auth0 (typ JWT, azp) or rfc9068 (typ at+jwt, client_id, jti). Default auth0. */
  tokenDialect?: TokenDialect;
  /** Seconds a rotated-out refresh token may still be used (Auth0's rotation overlap period). Default 0. */
  refreshReuseLeeway?: number | string;
  /** Client ID Metadata Documents: a URL as client_id names the client's document. Default off. */
  cimd?: boolean;
  /** Where documents may be fetched from: loopback hosts only (default), or any host. */
  cimdFetch?: CimdFetch;
  /** Documents to preload, besides the `cimd` array of the fixtures file. */
  cimdDocuments?: ReadonlyArray<Record<string, unknown>>;
  /** Seconds a refresh-token family lives from the login; 0: no limit. Default 2592000 (30 days). */
  refreshAbsoluteLifetime?: number | string;
  /** Seconds a refresh-token family lives from its last use; 0: no limit. Default 1296000 (15 days). */
  refreshIdleLifetime?: number | string;
}

/** The resolved, validated configuration: every field set. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly seed: string;
  readonly profile: Profile;
  readonly issuer: string | undefined;
  /** --tenant and the tenants option, in that order. */
  readonly tenants: readonly string[];
  readonly clock: Date | undefined;
  readonly quiet: boolean;
  readonly log: LogFormat;
  /** Absolute. */
  readonly urlFile: string | undefined;
  /** --fail and the failures option, in that order. */
  readonly failures: readonly FailureRule[];
  readonly latency: readonly [number, number] | undefined;
  readonly adminToken: string | undefined;
  /** Origins allowed on the guarded routes besides loopback ones, normalised (`https://app.example.com`). */
  readonly corsOrigin: readonly string[];
  readonly ids: IdScheme;
  /** undefined: the profile decides. */
  readonly oidcRules: boolean | undefined;
  readonly initialAccessToken: readonly string[];
  readonly maxClients: number | undefined;
  readonly rateLimit: RateLimit | undefined;
  /** Read and checked for shape; the server imports the keys when it starts. */
  readonly softwareStatementKey: KeySource | undefined;
  readonly rotateRegistrationToken: boolean;
  /** Validated fixtures, in file order. */
  readonly fixtures: readonly Fixture[];
  readonly login: LoginMode;
  /** --api and the apis option, in that order. */
  readonly apis: readonly Api[];
  readonly users: readonly User[];
  readonly signingKey: string | undefined;
  readonly issParam: boolean;
  readonly resourceParam: 'on' | 'off';
  readonly tokenDialect: TokenDialect;
  readonly refreshReuseLeeway: number;
  readonly cimd: boolean;
  readonly cimdFetch: CimdFetch;
  readonly cimdDocuments: readonly Record<string, unknown>[];
  readonly refreshAbsoluteLifetime: number;
  readonly refreshIdleLifetime: number;
}
