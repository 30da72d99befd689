import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StartupError, usageError } from './errors.js';
import {
  FailSpecError,
  type FailureRule,
  type FailureRuleInput,
  parseFailSpec,
  toFailureRule,
} from './failures/spec.js';
import { parseCorsOrigins } from './http/origins.js';
import { type RateLimit, parseRateLimit, readInitialAccessTokens } from './limits/options.js';
import { type VerificationKey, loadVerificationKeys } from './registration/software-statement.js';
import { type Fixture, type FixtureClient, loadFixtures } from './registration/fixtures.js';
import { show } from './show.js';

export const PROFILES = ['auth0', 'auth0-permissive', 'rfc7591'] as const;
export type Profile = (typeof PROFILES)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const ID_SCHEMES = ['sequence', 'content'] as const;
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
  /** Origins allowed on the guarded routes besides loopback ones, normalised (`https://app.example.com`). */
  readonly corsOrigin: readonly string[];
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

/** Every default, read by the CLI and the programmatic API alike. */
export const DEFAULTS: Readonly<Config> = Object.freeze({
  port: 4000,
  host: '127.0.0.1',
  db: './db.json',
  seed: 'dcr-mock',
  profile: 'auth0',
  issuer: undefined,
  clock: undefined,
  quiet: false,
  log: 'text',
  failures: [],
  latency: undefined,
  adminToken: undefined,
  corsOrigin: [],
  ids: 'sequence',
  oidcRules: undefined,
  initialAccessToken: [],
  maxClients: undefined,
  rateLimit: undefined,
  softwareStatementKey: undefined,
  rotateRegistrationToken: false,
  fixtures: [],
});

export const DEFAULT_CONFIG_FILE = 'dcr-mock.config.json';

type Check = (value: unknown, all: Record<string, unknown>) => unknown;

const oneOf =
  (name: string, allowed: readonly string[]): Check =>
  (v) => {
    if (typeof v === 'string' && allowed.includes(v)) return v;
    throw usageError(`--${name} must be one of ${allowed.join(', ')}, got ${show(v)}`);
  };

const nonEmptyString =
  (name: string): Check =>
  (v) => {
    if (typeof v === 'string' && v.length > 0) return v;
    throw usageError(`--${name} must be a non-empty string, got ${show(v)}`);
  };

const bool =
  (name: string): Check =>
  (v) => {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0' || v === '') return false;
    throw usageError(`--${name} must be true or false, got ${show(v)}`);
  };

/** One row per option: how to check and normalise a value from any source. */
const CHECKS: Record<keyof Config, Check> = {
  port: (v) => {
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
    throw usageError(`--port must be an integer from 0 to 65535, got ${show(v)}`);
  },
  host: nonEmptyString('host'),
  db: nonEmptyString('db'),
  seed: (v) => {
    if ((typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    throw usageError(`--seed must be a non-empty string or a number, got ${show(v)}`);
  },
  profile: oneOf('profile', PROFILES),
  issuer: (v) => {
    if (v === undefined) return undefined;
    const url = typeof v === 'string' ? URL.parse(v) : null;
    if (url && (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash) {
      return url.href.endsWith('/') ? url.href : `${url.href}/`;
    }
    throw usageError(`--issuer must be an absolute http(s) URL without query or fragment, got ${show(v)}`);
  },
  clock: (v) => {
    if (v === undefined) return undefined;
    const date = v instanceof Date ? v : typeof v === 'string' && v.length > 0 ? new Date(v) : undefined;
    if (date && !Number.isNaN(date.getTime())) return date;
    throw usageError(`--clock must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z, got ${show(v)}`);
  },
  quiet: bool('quiet'),
  log: oneOf('log', LOG_FORMATS),
  failures: (v, all) => {
    const fromFlags = all['fail'] === undefined ? [] : [all['fail']].flat();
    if (!Array.isArray(v)) throw usageError(`failures must be an array of rules or specs, got ${show(v)}`);
    try {
      return [
        ...fromFlags.flatMap((spec) => {
          if (typeof spec !== 'string') throw new FailSpecError(`--fail must be a spec string, got ${show(spec)}`);
          return parseFailSpec(spec);
        }),
        ...v.flatMap((item, i) =>
          typeof item === 'string' ? parseFailSpec(item) : [toFailureRule(item, `failures[${i}]`)],
        ),
      ];
    } catch (err) {
      if (err instanceof FailSpecError) throw usageError(`bad failure rule: ${err.message}`);
      throw err;
    }
  },
  latency: (v) => {
    if (v === undefined) return undefined;
    const m = typeof v === 'number' || typeof v === 'string' ? /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(String(v)) : null;
    const min = Number(m?.[1]);
    const max = m?.[2] === undefined ? min : Number(m[2]);
    if (m && min <= max && max <= MAX_LATENCY_MS) return [min, max];
    throw usageError(`--latency must be milliseconds or MIN-MAX (at most ${MAX_LATENCY_MS}), got ${show(v)}`);
  },
  adminToken: (v) => {
    if (v === undefined) return undefined;
    if (typeof v === 'string' && /^[\x21-\x7e]+$/.test(v)) return v;
    throw usageError('--admin-token must be printable ASCII without spaces');
  },
  corsOrigin: (v) => parseCorsOrigins(v),
  ids: oneOf('ids', ID_SCHEMES),
  oidcRules: (v) => (v === undefined ? undefined : bool('oidc-rules')(v, {})),
  initialAccessToken: (v) => readInitialAccessTokens(v),
  maxClients: (v) => {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
    throw usageError(`--max-clients must be a whole number (0 or more), got ${show(v)}`);
  },
  rateLimit: (v) => (v === undefined ? undefined : parseRateLimit(v)),
  softwareStatementKey: (v) => (v === undefined ? undefined : loadVerificationKeys(v)),
  rotateRegistrationToken: bool('rotate-registration-token'),
  fixtures: (v) => loadFixtures(v),
};

const MAX_LATENCY_MS = 300_000;

/** Keys read by another key's check: `fail` (the CLI's) is folded into `failures`. */
const KNOWN = new Set([...Object.keys(CHECKS), 'fail']);

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
  for (const [key, check] of Object.entries(CHECKS)) config[key] = check(merged[key], merged);
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
