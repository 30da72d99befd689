import { CATALOGUE, COMMON_MODES, type ModeSpec } from '../../src/failures/catalogue.js';
import { parseFailSpec } from '../../src/failures/spec.js';
import type { RunningServer } from '../../src/server.js';
import {
  CallbackError,
  type Flow,
  NO_REFRESH_TOKEN,
  type Step,
  NoRedirect,
  mcpSdk,
  oauth4webapi,
  openidClient,
  resourceServer,
} from './authorization-flows.js';
import { described, errorCodeOf, inCell, versionOf } from './client-report.js';

// The authorization server's own failure modes against client libraries, for docs/client-checks.md:
// the rows, what each library did, what a careful one must do, and the section of the doc.

const ENDPOINTS = ['authorize', 'token', 'userinfo', 'jwks', 'discovery'] as const;
/** What the request a rule waits for is, as a sentence says it. */
const ASKED_FOR: Record<string, string> = {
  authorize: '/authorize',
  token: 'the token endpoint',
  userinfo: '/userinfo',
  jwks: 'the JWKS',
  discovery: 'the metadata',
};

export interface Row {
  readonly endpoint: string;
  readonly mode: string;
  readonly summary: string;
}

const common = COMMON_MODES as Record<string, ModeSpec>;
/** Each endpoint's own modes (and the common ones it answers its own way), in table order. */
export const ROWS: readonly Row[] = ENDPOINTS.flatMap((endpoint) =>
  CATALOGUE.modeNames(endpoint)
    .filter((mode) => CATALOGUE.mode(endpoint, mode) !== common[mode])
    .map((mode) => ({ endpoint, mode, summary: CATALOGUE.mode(endpoint, mode)!.summary })),
);
export const rowName = (row: Row) => `${row.endpoint}:${row.mode}`;

const OC = 'openid-client';
const OCN = 'openid-client (non-repudiation checks)';
const O4 = 'oauth4webapi';
const MCP = 'MCP SDK';
const RS = 'jose';

interface Library {
  readonly name: string;
  readonly heading: string;
  readonly flow: Flow;
  /** The rows it takes part in; the others are not its part. */
  readonly applies?: (row: Row) => boolean;
}

const TOKEN_SPOILS = ['expired_token', 'bad_signature', 'wrong_audience'];

export const LIBRARIES: readonly Library[] = [
  { name: OC, heading: `openid-client ${versionOf('openid-client')}`, flow: openidClient(false) },
  {
    name: OCN,
    heading: `openid-client ${versionOf('openid-client')} with \`enableNonRepudiationChecks\``,
    flow: openidClient(true),
  },
  { name: O4, heading: `oauth4webapi ${versionOf('oauth4webapi')}`, flow: oauth4webapi },
  { name: MCP, heading: `MCP SDK ${versionOf('@modelcontextprotocol/sdk')}`, flow: mcpSdk },
  {
    name: RS,
    heading: `jose ${versionOf('jose')}, a resource server`,
    flow: resourceServer,
    applies: (row) => row.endpoint === 'jwks' || (row.endpoint === 'token' && TOKEN_SPOILS.includes(row.mode)),
  },
];

/** What one library made of one mode. */
export type Seen =
  | { readonly kind: 'accepts'; readonly note?: string | undefined }
  | { readonly kind: 'rejects'; readonly error: unknown; readonly step: Step }
  /** The library never made the request the rule waited for. */
  | { readonly kind: 'unreached' }
  /** /authorize sent no redirect: there was no callback for the library to read. */
  | { readonly kind: 'no-redirect'; readonly status: number }
  /** The callback had no code; the application reads its error. */
  | { readonly kind: 'callback'; readonly error: string | null }
  | { readonly kind: 'not-its-part' };

/** Runs the library's login with the row's mode applied once, from a fresh server state. */
export async function observe(server: RunningServer, library: Library, row: Row): Promise<Seen> {
  if (library.applies && !library.applies(row)) return { kind: 'not-its-part' };
  await server.reset();
  const active = server.plan.add(parseFailSpec(`${rowName(row)}:times=1`)[0]!);
  let seen: Seen;
  let step: Step = 'metadata';
  try {
    seen = { kind: 'accepts', note: await library.flow(server.issuer, (now) => (step = now)) };
  } catch (err) {
    if (err instanceof NoRedirect) seen = { kind: 'no-redirect', status: err.status };
    else if (err instanceof CallbackError) seen = { kind: 'callback', error: err.callbackError };
    else seen = { kind: 'rejects', error: err, step };
  }
  if (active.applied > 0) return seen;
  // The rule was never applied: the flow must then have gone through, or it failed on something else.
  if (seen.kind !== 'accepts') {
    const why = seen.kind === 'rejects' ? (seen.error as Error).stack : seen.kind;
    throw new Error(`${library.name} failed before it asked for ${ASKED_FOR[row.endpoint]}: ${why}`);
  }
  return { kind: 'unreached' };
}

export function cell(seen: Seen, row: Row): string {
  switch (seen.kind) {
    case 'accepts':
      return `**accepts**${seen.note ? `, ${seen.note}` : ''}`;
    case 'rejects':
      return `rejects (${seen.step}): ${described(seen.error)}`;
    case 'unreached':
      return `not reached: never asks for ${ASKED_FOR[row.endpoint]}`;
    case 'no-redirect':
      return `no callback: /authorize answers ${seen.status} itself`;
    case 'callback':
      return `the application reads \`error\`: \`${seen.error}\` in the callback`;
    case 'not-its-part':
      return '—';
  }
}

/** What a careful client must make of a mode; libraries not named may do as they like (the doc says what). */
interface Expected {
  /** Must refuse it; with `code`, naming the mode's OAuth error. */
  readonly rejects?: readonly string[];
  readonly code?: string;
  /** Must take it, with this note. */
  readonly accepts?: readonly string[];
  readonly note?: string;
  /** Get no callback (an error page). */
  readonly noRedirect?: readonly string[];
  /** Leave the callback's error to the application (it reads the callback itself). */
  readonly callback?: readonly string[];
}

/** Libraries that read the callback and the id_token themselves. */
const READERS = [OC, OCN, O4];
const TOKEN_CLIENTS = [...READERS, MCP];
const redirected = (error: string): Expected => ({ rejects: READERS, code: error, callback: [MCP] });
const refused = (error: string): Expected => ({ rejects: TOKEN_CLIENTS, code: error });

export const EXPECTED: Readonly<Record<string, Expected>> = {
  'authorize:access_denied': redirected('access_denied'),
  'authorize:login_required': redirected('login_required'),
  'authorize:consent_required': redirected('consent_required'),
  'authorize:invalid_scope': redirected('invalid_scope'),
  'authorize:invalid_request': redirected('invalid_request'),
  'authorize:server_error': redirected('server_error'),
  'authorize:temporarily_unavailable': redirected('temporarily_unavailable'),
  'authorize:error_page': { noRedirect: TOKEN_CLIENTS },
  'authorize:malformed_json': { rejects: READERS },
  'authorize:wrong_state': { rejects: READERS },
  'authorize:missing_state': { rejects: READERS },
  'authorize:wrong_iss': { rejects: READERS },
  'authorize:missing_iss': { rejects: READERS },
  'token:invalid_grant': refused('invalid_grant'),
  'token:invalid_client': refused('invalid_client'),
  'token:unauthorized_client': refused('unauthorized_client'),
  'token:invalid_scope': refused('invalid_scope'),
  'token:access_denied': refused('access_denied'),
  'token:malformed_json': { rejects: TOKEN_CLIENTS },
  'token:missing_access_token': { rejects: TOKEN_CLIENTS },
  'token:wrong_token_type': { rejects: READERS },
  'token:expired_token': { rejects: [...READERS, RS] },
  'token:bad_signature': { rejects: [OCN, RS] },
  'token:wrong_audience': { rejects: [RS] },
  'token:no_refresh_token': { accepts: TOKEN_CLIENTS, note: NO_REFRESH_TOKEN },
  'userinfo:invalid_token': { rejects: READERS, code: 'invalid_token' },
  'userinfo:malformed_json': { rejects: READERS },
  'jwks:unknown_kid': { rejects: [OCN, RS] },
  'jwks:empty': { rejects: [OCN, RS] },
  'discovery:issuer_mismatch': { rejects: READERS },
  // Auth0's https://TENANT/ against https://TENANT: a client that compares the issuer byte for byte refuses it.
  'discovery:trailing_slash': { rejects: READERS },
  // The MCP spec says a client must stop here; the table shows which do.
  'discovery:no_pkce_methods': {},
  // The login uses a pre-registered client: nothing needs the registration endpoint.
  'discovery:no_registration_endpoint': { accepts: TOKEN_CLIENTS },
};

/** Where a library's outcome breaks its row's expectation: a message, or undefined. */
export function breach(row: Row, library: string, seen: Seen): string | undefined {
  const expected = EXPECTED[rowName(row)];
  if (!expected) return `${rowName(row)} has no expectation: add one to EXPECTED`;
  const is = (list?: readonly string[]) => list?.includes(library) ?? false;
  const shown = seen.kind === 'rejects' ? `rejects with ${described(seen.error)}` : seen.kind;
  if (is(expected.rejects)) {
    if (seen.kind !== 'rejects') return `must reject, but ${shown}`;
    if (expected.code && errorCodeOf(seen.error) !== expected.code) return `must say ${expected.code}, but ${shown}`;
  }
  if (is(expected.accepts) && (seen.kind !== 'accepts' || seen.note !== expected.note)) {
    return `must accept${expected.note ? ` ${expected.note}` : ''}, but ${shown}${seen.kind === 'accepts' ? ` ${seen.note ?? ''}` : ''}`;
  }
  if (is(expected.noRedirect) && seen.kind !== 'no-redirect') return `must get no callback, but ${shown}`;
  if (is(expected.callback) && (seen.kind !== 'callback' || seen.error !== expected.code)) {
    return `must leave error=${expected.code} to the application, but ${shown}`;
  }
  return undefined;
}

/** The doc's section: one row per mode, one column per library. */
export function authorizationSection(outcomes: ReadonlyMap<string, readonly Seen[]>): string[] {
  const rows = ROWS.map((row) => {
    const seen = outcomes.get(rowName(row))!;
    return `| \`${rowName(row)}\` | ${inCell(row.summary)} | ${seen.map((s) => inCell(cell(s, row))).join(' | ')} |`;
  });
  const missed = ROWS.map((row) => ({
    row,
    by: LIBRARIES.filter((_, i) => outcomes.get(rowName(row))![i]!.kind === 'accepts').map((l) => l.name),
  }))
    .filter(({ row, by }) => by.length > 0 && !EXPECTED[rowName(row)]?.accepts)
    .map(({ row, by }) => `\`${rowName(row)}\` (${by.join(', ')})`);
  const meant = ROWS.filter((row) => EXPECTED[rowName(row)]?.accepts).map((row) => `\`${rowName(row)}\``);
  return [
    '## The authorization server',
    '',
    "Each of the authorization server's own modes, applied once, against one login as each library does it: a",
    'pre-registered confidential client (`client_secret_basic`) reads the metadata, sends the user to `/authorize`',
    'with PKCE, the scope `openid email offline_access read:items` and an API audience (the 302 read by hand, as a',
    'CLI does), redeems the code, asks `/userinfo` and refreshes, against a server started with `--iss-param`. The',
    "MCP SDK has no `/userinfo`, and leaves the callback to the application. jose's column is a resource server",
    '(an API, an MCP server) verifying the access token it is given against the JWKS, for its own audience; `—`',
    'where that is not its part. A rejection names the step it came at, in brackets: a library that takes a bad',
    'answer may still fail later, when the server refuses what it was given. The common modes (5xx, 429, network',
    'faults) are answered as in the table above.',
    '',
    `Taken without complaint: ${missed.join('; ') || 'none'} (and ${meant.join(', ')}, which a client should take).`,
    'A spoiled token answer stores nothing and spends no code, so it carries no refresh token.',
    '',
    `| mode | the client receives | ${LIBRARIES.map((l) => l.heading).join(' | ')} |`,
    `|---|---|${LIBRARIES.map(() => '---|').join('')}`,
    ...rows,
    '',
    'How each logs in: openid-client `discovery`, `buildAuthorizationUrl`, `authorizationCodeGrant`, `fetchUserInfo`,',
    '`refreshTokenGrant` (with `enableNonRepudiationChecks`, which also verifies the id_token against the JWKS);',
    'oauth4webapi `discoveryRequest`, `validateAuthResponse`, `authorizationCodeGrantRequest`,',
    '`processAuthorizationCodeResponse`, `userInfoRequest`, `refreshTokenGrantRequest`; the MCP SDK',
    '`discoverAuthorizationServerMetadata`, `startAuthorization`, `exchangeAuthorization`, `refreshAuthorization`;',
    'jose `createRemoteJWKSet`, `jwtVerify` with `issuer` and `audience`.',
    '',
  ];
}
