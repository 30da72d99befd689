import type { Config, DcrMockOptions } from './option-types.js';
import { readInitialAccessTokens, parseRateLimit } from './limits/options.js';
import {
  type Check,
  bool,
  checkAdminToken,
  checkClock,
  checkFailures,
  checkIssuer,
  checkLatency,
  checkMaxClients,
  checkPort,
  checkSeed,
  checkUrlFile,
  nonEmptyString,
  seconds,
  oneOf,
  optional,
} from './option-checks.js';
import { parseCorsOrigins } from './http/origins.js';
import { loadFixtures } from './registration/fixtures.js';
import { ID_SCHEMES } from './registration/content-ids.js';
import { PROFILES } from './registration/profiles.js';
import { readVerificationKeys } from './registration/statement-keys.js';
import { LOG_FORMATS } from './log.js';
import { parseApis } from './authorization/apis.js';
import { LOGIN_MODES } from './authorization/authorize.js';
import { REFRESH_ABSOLUTE_LIFETIME, REFRESH_IDLE_LIFETIME } from './authorization/refresh-tokens.js';
import { TOKEN_DIALECTS } from './authorization/tokens.js';
import { loadUsers } from './authorization/user-file.js';
import { CIMD_FETCH } from './authorization/cimd.js';
import { loadCimdDocuments } from './authorization/cimd-file.js';
import { checkTenants } from './tenants.js';
import { FAILURE_RULE, FIXTURES, type JsonSchema, MS_RANGE, wholeNumber } from './option-schemas.js';

export const DEFAULT_CONFIG_FILE = 'dcr-mock.config.json';

/** How yargs reads an option's flag (its name in kebab-case), and its lines in --help. */
export interface Flag {
  readonly alias?: string;
  readonly type: 'string' | 'boolean';
  readonly array?: true;
  readonly requiresArg?: true;
  readonly choices?: readonly string[];
  readonly help: string;
  /** --help's `[default: …]`; for a string or number default, that value unless given here. */
  readonly helpDefault?: string;
}

/** The option's row in the README's table (markdown). */
export interface Readme {
  /** The option as a user writes it, e.g. "`-p, --port`". */
  readonly option: string;
  /** For a string or number default, that value in backticks unless given here. */
  readonly default?: string;
  readonly meaning: string;
}

/** The name is the key in DcrMockOptions, a config file and DCR_MOCK_<NAME>; `config` is the CLI's alone. */
export type OptionName = keyof DcrMockOptions | 'config';

export interface OptionRow<N extends OptionName = OptionName> {
  readonly name: N;
  /** None for an option that only code and config files set. */
  readonly flag?: Flag;
  readonly readme?: Readme;
  /** A field of Config: its default and how a value from any source is checked and normalised. */
  readonly value?: { readonly default: unknown; readonly check: Check<unknown> };
  /** Its JSON Schema in a config file, when the one its flag implies is not enough (config.schema.json). */
  readonly schema?: JsonSchema;
}

type RowSpec<N extends OptionName> = Omit<OptionRow<N>, 'name' | 'value'> &
  (N extends keyof Config ? { value: { default: Config[N]; check: Check<Config[N]> } } : { value?: never });

const row = <const N extends OptionName>(name: N, spec: RowSpec<N>): OptionRow<N> => ({ name, ...spec });

/** Every option, in the order of --help and the README. */
export const OPTIONS = [
  row('port', {
    schema: wholeNumber(0, 65535),
    value: { default: 4000, check: checkPort },
    flag: { alias: 'p', type: 'string', help: 'port to listen on; 0 picks a free one' },
    readme: { option: '`-p, --port`', meaning: 'port; `0` picks a free one (the first line printed tells which)' },
  }),
  row('host', {
    value: { default: '127.0.0.1', check: nonEmptyString('host') },
    flag: { alias: 'H', type: 'string', help: 'bind address; a non-loopback one prints a warning' },
    readme: { option: '`-H, --host`', meaning: 'bind address; anything not loopback prints a warning' },
  }),
  row('db', {
    value: { default: './db.json', check: nonEmptyString('db') },
    flag: { type: 'string', help: 'lowdb JSON file (created if missing), or :memory:; also the one argument' },
    readme: {
      option: '`--db`',
      meaning:
        'the lowdb file (created if missing), or `:memory:` to keep nothing; `dcr-mock clients.json`, as json-server takes it, is `--db clients.json`',
    },
  }),
  row('seed', {
    schema: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'number' }] },
    value: { default: 'dcr-mock', check: checkSeed },
    flag: { type: 'string', help: 'seed of every generated value' },
    readme: { option: '`--seed`', meaning: 'seed of every generated value (string or number)' },
  }),
  row('profile', {
    value: { default: 'auth0', check: oneOf('profile', PROFILES) },
    flag: {
      type: 'string',
      choices: PROFILES,
      help: 'server to emulate (rfc7591: plain RFC 7591 + RFC 7592 management)',
    },
    readme: {
      option: '`--profile`',
      meaning:
        "`auth0` (Auth0's strict mode, today's tenants) or `auth0-permissive` (older tenants: no `tpc_` prefix, grant types not filtered), or `rfc7591` (plain RFC 7591 + RFC 7592 management; see [Profiles](registration.md#profiles))",
    },
  }),
  row('fail', {
    flag: {
      type: 'string',
      array: true,
      requiresArg: true,
      help: 'a failure rule MODE[:key=value,...] (repeatable), e.g. rate_limited:times=2',
    },
    readme: {
      option: '`--fail SPEC`',
      default: 'none',
      meaning: 'a failure rule, repeatable (see [Failure modes](failure-modes.md#failure-modes))',
    },
  }),
  // The rules of --fail and of this option, in that order; a config file or code gives it.
  row('failures', {
    value: { default: [], check: checkFailures },
    schema: {
      type: 'array',
      items: FAILURE_RULE,
      description: 'failure rules in force from the start, after those of --fail: specs or rule objects',
    },
  }),
  row('latency', {
    schema: MS_RANGE,
    value: { default: undefined, check: optional(checkLatency) },
    flag: { type: 'string', help: 'delay every registration: MS or MIN-MAX', helpDefault: '0' },
    readme: { option: '`--latency MS` or `MIN-MAX`', default: '`0`', meaning: 'delay every registration answer' },
  }),
  row('fixtures', {
    schema: FIXTURES,
    value: { default: [], check: (v) => loadFixtures(v) },
    flag: {
      type: 'string',
      requiresArg: true,
      help: 'JSON file of clients to preload (idempotent by client_id; reset restores them)',
      helpDefault: 'none',
    },
    readme: {
      option: '`--fixtures FILE`',
      default: 'none',
      meaning: 'clients to preload, idempotent by `client_id` (see [Fixtures](testing.md#fixtures))',
    },
  }),
  row('config', {
    flag: { type: 'string', help: 'JSON file of options', helpDefault: `${DEFAULT_CONFIG_FILE} if present` },
    readme: {
      option: '`--config FILE`',
      default: `\`${DEFAULT_CONFIG_FILE}\` if present`,
      meaning: 'every option as JSON (`{"seed": "ci", "failures": ["rate_limited:times=2"]}`)',
    },
  }),
  row('issuer', {
    schema: { type: 'string', pattern: '^https?://' },
    value: { default: undefined, check: optional(checkIssuer) },
    flag: { type: 'string', help: 'issuer and base of advertised endpoints', helpDefault: 'http://HOST:PORT/' },
    readme: {
      option: '`--issuer URL`',
      default: '`http://HOST:PORT/`',
      meaning: 'issuer and base of the advertised endpoints (always ends with `/`)',
    },
  }),
  row('tenant', {
    flag: {
      type: 'string',
      array: true,
      requiresArg: true,
      help: 'serve a tenant NAME at /t/NAME/: its own issuer, clients, keys, rules and db file (repeatable)',
      helpDefault: 'none',
    },
    readme: {
      option: '`--tenant NAME`',
      default: 'none',
      meaning:
        'another issuer on the same port, `http://HOST:PORT/t/NAME/`, with its own clients, keys, failure rules, clock and `db.NAME.json`; repeatable, `a,b` for several (see [Tenants](mcp.md#several-tenants-on-one-server---tenant))',
    },
  }),
  // --tenant and this option, in that order; a config file or code gives it.
  row('tenants', {
    schema: {
      description: 'tenants to serve at /t/NAME/, after those of --tenant',
      type: 'array',
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
    },
    value: {
      default: [],
      check: (v, all) => checkTenants([...[all['tenant'] ?? []].flat(), ...[v ?? []].flat()]),
    },
  }),
  row('clock', {
    value: { default: undefined, check: optional(checkClock) },
    flag: { type: 'string', help: 'fixed ISO 8601 time for every generated timestamp', helpDefault: 'real time' },
    readme: {
      option: '`--clock ISO`',
      default: 'real time',
      meaning: 'a fixed time for every timestamp dcr-mock generates',
    },
  }),
  row('adminToken', {
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]+$' },
    value: { default: undefined, check: optional(checkAdminToken) },
    flag: {
      type: 'string',
      help: 'require Authorization: Bearer TOKEN on /__dcr/* and json-server routes',
      helpDefault: 'none',
    },
    readme: {
      option: '`--admin-token T`',
      default: 'none',
      meaning: "`/__dcr/*` and json-server's routes then require `Authorization: Bearer T`",
    },
  }),
  row('corsOrigin', {
    value: { default: [], check: (v) => parseCorsOrigins(v) },
    flag: {
      type: 'string',
      array: true,
      requiresArg: true,
      help: 'an origin whose pages may use /__dcr/* and json-server routes (repeatable); loopback ones always may',
      helpDefault: 'loopback only',
    },
    readme: {
      option: '`--cors-origin ORIGIN`',
      default: 'loopback origins only',
      meaning:
        "a site whose pages may also use `/__dcr/*` and json-server's routes, e.g. `https://app.example.com`; repeatable, `a,b` for several (see [On a shared machine](../README.md#on-a-shared-machine))",
    },
  }),
  row('quiet', {
    value: { default: false, check: bool('quiet') },
    flag: { alias: 'q', type: 'boolean', help: 'no request log' },
    readme: { option: '`-q, --quiet`', default: 'off', meaning: 'no request log' },
  }),
  row('log', {
    value: { default: 'text', check: oneOf('log', LOG_FORMATS) },
    flag: {
      type: 'string',
      choices: LOG_FORMATS,
      help: 'output format; json: every line a JSON object (start-up, requests, warnings, errors)',
    },
    readme: {
      option: '`--log json`',
      meaning:
        'every line printed is a JSON object: the start record, one per request, warnings and errors (see [What it prints](#what-it-prints))',
    },
  }),
  row('urlFile', {
    value: { default: undefined, check: optional(checkUrlFile) },
    flag: {
      type: 'string',
      requiresArg: true,
      help: 'write the base URL to this file once listening (removed at stop), for scripts that start dcr-mock in the background',
      helpDefault: 'none',
    },
    readme: {
      option: '`--url-file FILE`',
      default: 'none',
      meaning:
        'the base URL is written to `FILE` once dcr-mock listens, and removed when it stops: start it in the background and wait for the file (see [In scripts and CI](testing.md#in-scripts-and-ci))',
    },
  }),
  row('ids', {
    schema: { type: 'string', enum: ID_SCHEMES },
    value: { default: 'sequence', check: oneOf('ids', ID_SCHEMES) },
    flag: {
      type: 'string',
      help: `${ID_SCHEMES.join(' or ')}; content: credentials derived from the request metadata, the same in any order`,
    },
    readme: {
      option: '`--ids content`',
      meaning:
        "credentials derived from the request's metadata, not its place in the sequence (see [Order-independent credentials](registration.md#order-independent-credentials---ids-content))",
    },
  }),
  row('oidcRules', {
    value: { default: undefined, check: optional(bool('oidc-rules')) },
    flag: {
      type: 'boolean',
      help: 'OpenID Connect Registration rules: application_type web/native and its redirect URIs (--no-oidc-rules: off)',
      helpDefault: 'on in rfc7591',
    },
    readme: {
      option: '`--oidc-rules`, `--no-oidc-rules`',
      default: 'on in `rfc7591`, off in the `auth0` profiles',
      meaning:
        "OpenID Connect Registration 1.0's `application_type` rules for redirect URIs (see [OIDC Registration rules](registration.md#oidc-registration-rules---oidc-rules))",
    },
  }),
  row('initialAccessToken', {
    value: { default: [], check: (v) => readInitialAccessTokens(v) },
    flag: {
      type: 'string',
      array: true,
      requiresArg: true,
      help: 'registration requires Authorization: Bearer TOKEN; repeatable; @FILE reads one token a line',
      helpDefault: 'none',
    },
    readme: {
      option: '`--initial-access-token T`',
      default: 'none',
      meaning:
        'registration requires `Authorization: Bearer T`; repeatable, `a,b` for several, `@FILE` for a file of tokens (see [Protecting registration](registration.md#protecting-registration-initial-access-tokens))',
    },
  }),
  row('maxClients', {
    schema: wholeNumber(0),
    value: { default: undefined, check: optional(checkMaxClients) },
    flag: {
      type: 'string',
      help: "the registration after N stored clients gets Auth0's 403 too_many_entities",
      helpDefault: 'none',
    },
    readme: {
      option: '`--max-clients N`',
      default: 'none',
      meaning:
        "the registration after N stored clients gets Auth0's `403 too_many_entities` (see [Tenant limits](registration.md#tenant-limits))",
    },
  }),
  row('rateLimit', {
    schema: {
      anyOf: [
        { type: 'number', exclusiveMinimum: 0 },
        { type: 'string', pattern: '^\\s*(auth0|\\d+(\\.\\d+)?(/\\d+)?)\\s*$' },
      ],
    },
    value: { default: undefined, check: optional(parseRateLimit) },
    flag: {
      type: 'string',
      help: 'token bucket on registration: R[/BURST] per second, or auth0 (5/s, burst 5)',
      helpDefault: 'none',
    },
    readme: {
      option: '`--rate-limit R[/BURST]`',
      default: 'none',
      meaning: 'a token bucket on registration, `R` a second, `BURST` at once (default `R`); `auth0` = 5/s, burst 5',
    },
  }),
  row('softwareStatementKey', {
    schema: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
    value: { default: undefined, check: optional(readVerificationKeys) },
    flag: {
      type: 'string',
      help: 'verify software_statement signatures with this JWK, JWK set or PEM public key file',
      helpDefault: 'decode only',
    },
    readme: {
      option: '`--software-statement-key FILE`',
      default: 'none (statements decoded, not verified)',
      meaning:
        'verify `software_statement` signatures with this JWK, JWK set or PEM public key (see [Software statements](registration.md#software-statements))',
    },
  }),
  row('rotateRegistrationToken', {
    value: { default: false, check: bool('rotate-registration-token') },
    flag: { type: 'boolean', help: 'RFC 7592: a new registration access token on each use' },
    readme: {
      option: '`--rotate-registration-token`',
      default: 'off',
      meaning: 'RFC 7592: a new registration access token on each use of the old one',
    },
  }),
  row('login', {
    value: { default: 'auto', check: oneOf('login', LOGIN_MODES) },
    flag: {
      type: 'string',
      choices: LOGIN_MODES,
      help: 'how /authorize answers: auto (302 at once), consent (Accept/Decline page), login (pick a user)',
    },
    readme: {
      option: '`--login MODE`',
      meaning:
        '`auto`: `/authorize` redirects at once as the default user; `consent`: an Accept/Decline page; `login`: a page to pick a user (see [Logging in](authorization.md#how-the-user-answers---login))',
    },
  }),
  row('api', {
    flag: {
      type: 'string',
      array: true,
      requiresArg: true,
      help: 'declare an API (audience) and its scopes: ID[:scope scope...] (repeatable); with none, any audience is accepted',
    },
    readme: {
      option: '`--api ID[:SCOPES]`',
      default: 'none: any audience',
      meaning:
        'an API and the scopes it defines, e.g. `https://api.example.com:read:items write:items`; repeatable; once one is declared an unknown audience is `access_denied` (see [APIs](authorization.md#apis-and-audiences---api))',
    },
  }),
  // --api and this option, in that order; a config file or code gives it.
  row('apis', {
    schema: {
      description:
        'APIs (audiences) and their scopes, after those of --api: "ID[:scope scope…]" or {"identifier", "scopes"}',
      type: 'array',
      items: {
        anyOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            required: ['identifier'],
            properties: { identifier: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
          },
        ],
      },
    },
    value: {
      default: [],
      check: (v, all) => parseApis([...(all['api'] === undefined ? [] : [all['api']].flat()), ...[v ?? []].flat()]),
    },
  }),
  row('users', {
    schema: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', items: { type: 'object' } },
      ],
    },
    value: { default: [], check: (v, all) => loadUsers(v, checkSeed(all['seed'] ?? 'dcr-mock', all)) },
    flag: {
      type: 'string',
      requiresArg: true,
      help: 'JSON file of users to log in as (an array, or {"users": [...]}), besides the default user',
      helpDefault: 'the default user only',
    },
    readme: {
      option: '`--users FILE`',
      default: 'the default user only',
      meaning:
        'users to log in as, each an object of claims; a fixtures file with a `users` array works too (see [Users](authorization.md#users))',
    },
  }),
  row('signingKey', {
    value: { default: undefined, check: optional(nonEmptyString('signing-key')) },
    flag: {
      type: 'string',
      requiresArg: true,
      help: 'sign tokens with this RSA private key (JWK or PEM file)',
      helpDefault: 'derived from --seed',
    },
    readme: {
      option: '`--signing-key FILE`',
      default: 'derived from `--seed`',
      meaning:
        'sign tokens with your own RSA private key, a JWK or PEM file (see [Keys](authorization.md#tokens-and-keys))',
    },
  }),
  row('issParam', {
    value: { default: false, check: bool('iss-param') },
    flag: { type: 'boolean', help: 'RFC 9207: iss in every authorization response (advertised in the metadata)' },
    readme: {
      option: '`--iss-param`',
      default: 'off',
      meaning: "RFC 9207 `iss` in authorization responses, as Auth0's *Include Issuer in Authorization Responses*",
    },
  }),
  row('resourceParam', {
    value: { default: 'on', check: oneOf('resource-param', ['on', 'off'] as const) },
    flag: {
      type: 'string',
      choices: ['on', 'off'],
      help: "RFC 8707 resource names the API (Auth0's Resource Parameter Compatibility Profile); off: ignored",
    },
    readme: {
      option: '`--resource-param off`',
      default: '`on`',
      meaning:
        "`off` emulates a tenant without Auth0's Resource Parameter Compatibility Profile: `resource` is ignored",
    },
  }),
  row('tokenDialect', {
    value: { default: 'auth0', check: oneOf('token-dialect', TOKEN_DIALECTS) },
    flag: {
      type: 'string',
      choices: TOKEN_DIALECTS,
      help: 'access token profile: auth0 (typ JWT, azp) or rfc9068 (at+jwt)',
    },
    readme: {
      option: '`--token-dialect rfc9068`',
      default: '`auth0`',
      meaning: "RFC 9068 access tokens: `typ: at+jwt`, `client_id`, `jti` (Auth0's other access token profile)",
    },
  }),
  row('refreshReuseLeeway', {
    schema: wholeNumber(0, 86_400),
    value: { default: 0, check: seconds('refresh-reuse-leeway', 86_400) },
    flag: { type: 'string', help: "seconds a rotated-out refresh token still works (Auth0's rotation overlap period)" },
    readme: {
      option: '`--refresh-reuse-leeway S`',
      default: '`0`',
      meaning:
        "seconds during which the refresh token just rotated out may be used again, as Auth0's rotation overlap period",
    },
  }),
  row('cimd', {
    value: { default: false, check: bool('cimd') },
    flag: {
      type: 'boolean',
      help: 'Client ID Metadata Documents: a URL as client_id names a document (advertised in the metadata)',
    },
    readme: {
      option: '`--cimd`',
      default: 'off',
      meaning:
        "Client ID Metadata Documents, as Auth0's tenant toggle: an `https` URL as `client_id` names the client's document (see [CIMD](mcp.md#client-id-metadata-documents---cimd))",
    },
  }),
  row('cimdFetch', {
    value: { default: 'loopback', check: oneOf('cimd-fetch', CIMD_FETCH) },
    flag: { type: 'string', choices: CIMD_FETCH, help: 'fetch documents from loopback hosts only, or from any host' },
    readme: {
      option: '`--cimd-fetch any`',
      default: '`loopback`',
      meaning: 'with `--cimd`, fetch documents from any host, not only from loopback ones',
    },
  }),
  // Documents to preload: the `cimd` array of the --fixtures file, then this option's.
  row('cimdDocuments', {
    schema: {
      description: 'Client ID Metadata Documents to preload (with --cimd), after the cimd array of the fixtures file',
      type: 'array',
      items: {
        type: 'object',
        required: ['client_id', 'redirect_uris'],
        properties: {
          client_id: { type: 'string', pattern: '^https?://' },
          client_name: { type: 'string' },
          redirect_uris: { type: 'array', minItems: 1, items: { type: 'string' } },
          token_endpoint_auth_method: { type: 'string', enum: ['none', 'private_key_jwt'] },
        },
      },
    },
    value: { default: [], check: (v, all) => loadCimdDocuments(all['fixtures'], v) },
  }),
  row('refreshAbsoluteLifetime', {
    schema: wholeNumber(0),
    value: { default: REFRESH_ABSOLUTE_LIFETIME, check: seconds('refresh-absolute-lifetime') },
    flag: { type: 'string', help: 'seconds a refresh-token family lives from the login; 0: no limit' },
    readme: {
      option: '`--refresh-absolute-lifetime S`',
      meaning: "seconds a refresh token's family lives from the login (Auth0's default: 30 days); `0`: no limit",
    },
  }),
  row('refreshIdleLifetime', {
    schema: wholeNumber(0),
    value: { default: REFRESH_IDLE_LIFETIME, check: seconds('refresh-idle-lifetime') },
    flag: { type: 'string', help: 'seconds a refresh-token family lives from its last use; 0: no limit' },
    readme: {
      option: '`--refresh-idle-lifetime S`',
      meaning: "seconds a refresh token's family lives from its last use (Auth0's default: 15 days); `0`: no limit",
    },
  }),
] as const;

type Unlisted = Exclude<keyof DcrMockOptions | keyof Config, (typeof OPTIONS)[number]['name']>;
// Does not compile while a key of DcrMockOptions or Config has no row ("Property 'x' is missing"); a row whose
// name is neither does not compile either.
const everyOptionHasARow: Record<Unlisted, never> = {};
void everyOptionHasARow;

/** An option's flag: its name in kebab-case, as DCR_MOCK_<NAME> is in upper snake case. */
export const flagName = (name: OptionName): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The variable an option reads: DCR_MOCK_ and its name in upper snake case (`DCR_MOCK_ADMIN_TOKEN`). */
export const envName = (name: OptionName): string => `DCR_MOCK_${flagName(name).toUpperCase().replaceAll('-', '_')}`;

/** --help's `[default: …]` of a row, if it shows one. */
export function helpDefault(option: OptionRow): string | undefined {
  return option.flag?.helpDefault ?? shownDefault(option.value?.default);
}

/** The README's default column of a row. */
export function readmeDefault(option: OptionRow): string {
  const value = shownDefault(option.value?.default);
  return option.readme?.default ?? (value === undefined ? '' : `\`${value}\``);
}

const shownDefault = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
