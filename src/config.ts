import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StartupError, usageError } from './errors.js';
import type { FailureRule, FailureRuleInput } from './failures/spec.js';
import type { RateLimit } from './limits/options.js';
import { type ID_SCHEMES, type LOG_FORMATS, OPTIONS, type PROFILES } from './options.js';
import type { Fixture, FixtureClient } from './registration/fixtures.js';
import type { VerificationKey } from './registration/software-statement.js';
import { show } from './show.js';

export { DEFAULT_CONFIG_FILE, ID_SCHEMES, LOG_FORMATS, PROFILES } from './options.js';
export type Profile = (typeof PROFILES)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type IdScheme = (typeof ID_SCHEMES)[number];

/** Options accepted by `startDcrMock`, the CLI (as flags and `DCR_MOCK_*` variables) and the config file. */
export interface DcrMockOptions {
  /** Port to listen on; 0 picks a free one. Default 4000. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Path of the lowdb JSON file, or `:memory:`. Default ./db.json. */
  db?: string;
  /** Seed of every generated value. Default "dcr-mock". */
  seed?: string | number;
  /** Which server to emulate. Default auth0. */
  profile?: Profile;
  /** Issuer and base of advertised endpoints. Default http://HOST:PORT/. */
  issuer?: string;
  /** A fixed time for every timestamp dcr-mock generates (ISO 8601). Default: real time. */
  clock?: string | Date;
  /** No request log. */
  quiet?: boolean;
  /** Request log format. Default text. */
  log?: LogFormat;
  /** Failure rules in force from the start: rule objects or specs such as "rate_limited:times=2". */
  failures?: ReadonlyArray<FailureRuleInput | string>;
  /** The CLI's --fail: specs, each like "server_error:rate=0.25". */
  fail?: string | readonly string[];
  /** Delay every registration: ms, or "MIN-MAX". */
  latency?: number | string;
  /** When set, /__dcr/* requires Authorization: Bearer <adminToken>. */
  adminToken?: string;
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
}

/** The resolved, validated configuration: every field set. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly seed: string;
  readonly profile: Profile;
  readonly issuer: string | undefined;
  readonly clock: Date | undefined;
  readonly quiet: boolean;
  readonly log: LogFormat;
  /** --fail and the failures option, in that order. */
  readonly failures: readonly FailureRule[];
  readonly latency: readonly [number, number] | undefined;
  readonly adminToken: string | undefined;
  readonly ids: IdScheme;
  /** undefined: the profile decides. */
  readonly oidcRules: boolean | undefined;
  readonly initialAccessToken: readonly string[];
  readonly maxClients: number | undefined;
  readonly rateLimit: RateLimit | undefined;
  readonly softwareStatementKey: readonly VerificationKey[] | undefined;
  readonly rotateRegistrationToken: boolean;
  /** Validated fixtures, in file order. */
  readonly fixtures: readonly Fixture[];
}

/** Every default, read by the CLI and the programmatic API alike: the `value.default` of each row. */
export const DEFAULTS: Readonly<Config> = Object.freeze(
  Object.fromEntries(OPTIONS.flatMap((o) => (o.value ? [[o.name, o.value.default]] : []))),
) as unknown as Config;

/** How each Config field is checked and normalised, in the table's order. */
const CHECKS = OPTIONS.flatMap((o) => (o.value ? [[o.name, o.value.check] as const] : []));

/** The keys a config file and code may set: every row but the CLI's `config`; `fail` is folded into `failures`. */
const KNOWN = new Set<string>(OPTIONS.map((o) => o.name).filter((name) => name !== 'config'));

/**
 * The one merge point: later layers win over earlier ones, DEFAULTS under them all.
 * Unknown keys are refused so that a typo never passes silently.
 */
export function resolveConfig(...layers: ReadonlyArray<Record<string, unknown>>): Config {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (!KNOWN.has(key)) throw usageError(`unknown option ${show(key)}`);
      merged[key] = value;
    }
  }
  const config: Record<string, unknown> = {};
  for (const [key, check] of CHECKS) config[key] = check(merged[key], merged);
  return Object.freeze(config) as unknown as Config;
}

/**
 * Reads a config file: an object of options. `explicit` is false for the default
 * `dcr-mock.config.json`, which may be missing.
 */
export function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  const file = resolve(path);
  if (!explicit && !existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StartupError(
      `Failed to read the config file ${file}: ${(err as Error).message}. Check the --config path.`,
      2,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StartupError(`Failed to read the config file ${file}: ${(err as Error).message}. Fix the JSON.`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StartupError(`Failed to read the config file ${file}: it must hold a JSON object of options.`, 2);
  }
  const options = { ...(parsed as Record<string, unknown>) };
  delete options['$schema'];
  delete options['$comment'];
  const unknown = Object.keys(options).find((key) => !KNOWN.has(key));
  if (unknown !== undefined) {
    throw new StartupError(
      `Failed to read the config file ${file}: unknown option ${show(unknown)}. Fix its spelling or remove it; dcr-mock --help lists the options.`,
      2,
    );
  }
  // A fixtures path in a config file is relative to that file, so a scenario folder can be copied as a whole.
  const fixtures = options['fixtures'];
  if (typeof fixtures === 'string' && fixtures !== '' && !isAbsolute(fixtures)) {
    options['fixtures'] = resolve(dirname(file), fixtures);
  }
  return options;
}
