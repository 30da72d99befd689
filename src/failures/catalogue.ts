import { NO_STORE } from '../http/respond.js';
import { AUTH0_RATE_LIMIT } from '../limits/options.js';

/**
 * Every failure dcr-mock can inject, as data. `http` modes answer with a status, headers and body;
 * `bad-success` modes answer a 2xx that a careful client must reject; `network` modes act on the
 * socket; `delay` holds the answer back and stacks on any other mode.
 */
export type FailureKind = 'http' | 'bad-success' | 'network' | 'delay';

export interface ModeSpec {
  readonly group: 'RFC 7591' | 'Auth0' | 'token' | 'server' | 'bad success' | 'network';
  readonly kind: FailureKind;
  /** What the client receives, for --help, the README and the inspector. */
  readonly summary: string;
}

export const MODES = {
  invalid_redirect_uri: { group: 'RFC 7591', kind: 'http', summary: '400 invalid_redirect_uri' },
  invalid_client_metadata: { group: 'RFC 7591', kind: 'http', summary: '400 invalid_client_metadata' },
  invalid_software_statement: { group: 'RFC 7591', kind: 'http', summary: '400 invalid_software_statement' },
  unapproved_software_statement: { group: 'RFC 7591', kind: 'http', summary: '400 unapproved_software_statement' },
  registration_disabled: {
    group: 'Auth0',
    kind: 'http',
    summary: "400, Auth0's 'dynamic client registration is disabled'",
  },
  too_many_entities: { group: 'Auth0', kind: 'http', summary: '403, tenant application limit reached' },
  rate_limited: { group: 'Auth0', kind: 'http', summary: '429 with X-RateLimit-* and Retry-After' },
  invalid_token: { group: 'token', kind: 'http', summary: '401 with WWW-Authenticate: Bearer error="invalid_token"' },
  server_error: { group: 'server', kind: 'http', summary: '500 JSON' },
  bad_gateway: { group: 'server', kind: 'http', summary: '502 HTML page, as a proxy sends' },
  service_unavailable: { group: 'server', kind: 'http', summary: '503 with Retry-After' },
  gateway_timeout: { group: 'server', kind: 'http', summary: '504 HTML page, as a proxy sends' },
  malformed_json: { group: 'bad success', kind: 'bad-success', summary: '201 whose JSON body is cut off' },
  missing_client_id: { group: 'bad success', kind: 'bad-success', summary: '201 without client_id' },
  status_200: { group: 'bad success', kind: 'bad-success', summary: '200 instead of 201' },
  wrong_content_type: { group: 'bad success', kind: 'bad-success', summary: '201 labelled text/html' },
  delay: { group: 'network', kind: 'delay', summary: 'answer held back ms (or MIN-MAX); adds to any other mode' },
  timeout: {
    group: 'network',
    kind: 'network',
    summary: 'never answers; the socket is held until the client gives up (capped at ms)',
  },
  reset: { group: 'network', kind: 'network', summary: 'TCP reset: the client sees ECONNRESET' },
  empty_response: { group: 'network', kind: 'network', summary: 'socket closed without a byte' },
  truncated: { group: 'network', kind: 'network', summary: 'headers and half the body, then closed' },
  slow_body: { group: 'network', kind: 'network', summary: 'body dribbled over ms' },
} as const satisfies Record<string, ModeSpec>;

export type Mode = keyof typeof MODES;

export const MODE_NAMES = Object.keys(MODES) as Mode[];

export const isMode = (name: string): name is Mode => Object.hasOwn(MODES, name);

/** A complete HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface HttpFailureOptions {
  /** Overrides the mode's status. */
  readonly status?: number | undefined;
  /** Seconds, for Retry-After (rate_limited, service_unavailable). */
  readonly retryAfter?: number | undefined;
  /** Now, in ms since the epoch (X-RateLimit-Reset). */
  readonly now: number;
  /** False when a real limit (not a failure rule) answers: the description then does not say it was injected. */
  readonly injected?: boolean;
}

const NOTE = '(failure injected by dcr-mock)';
/** The headers of a JSON answer that must not be cached: every error and every registration dcr-mock sends. */
export const JSON_NO_STORE = { 'content-type': 'application/json; charset=utf-8', ...NO_STORE } as const;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { ...JSON_NO_STORE, ...headers },
  body: JSON.stringify(body),
});
const oauth = (status: number, error: string, description: string, headers: Record<string, string> = {}): Answer =>
  json(status, { error, error_description: `${description} ${NOTE}` }, headers);
const html = (status: number, title: string): Answer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
});

type HttpMode = { [M in Mode]: (typeof MODES)[M]['kind'] extends 'http' ? M : never }[Mode];

const HTTP_ANSWERS: Record<HttpMode, (o: HttpFailureOptions) => Answer> = {
  invalid_redirect_uri: () => oauth(400, 'invalid_redirect_uri', 'redirect_uris must be acceptable to this server'),
  invalid_client_metadata: () =>
    oauth(400, 'invalid_client_metadata', 'client metadata must be acceptable to this server'),
  invalid_software_statement: () => oauth(400, 'invalid_software_statement', 'software_statement must be a valid JWT'),
  unapproved_software_statement: () =>
    oauth(400, 'unapproved_software_statement', 'software_statement must be approved by this server'),
  registration_disabled: () =>
    json(400, { statusCode: 400, error: 'Bad Request', message: 'dynamic client registration is disabled' }),
  too_many_entities: () =>
    json(403, {
      statusCode: 403,
      error: 'Forbidden',
      message: 'You reached the limit of entities of this type for this tenant.',
      errorCode: 'too_many_entities',
    }),
  rate_limited: ({ retryAfter = 1, now, injected = true }) =>
    json(
      429,
      { error: 'too_many_requests', error_description: `Global limit has been reached${injected ? ` ${NOTE}` : ''}` },
      rateLimitHeaders(AUTH0_RATE_LIMIT.burst, 0, Math.ceil(now / 1000) + retryAfter, retryAfter),
    ),
  invalid_token: () =>
    oauth(401, 'invalid_token', 'the access token must be valid', {
      'www-authenticate': 'Bearer error="invalid_token", error_description="the access token is invalid"',
    }),
  server_error: () => oauth(500, 'server_error', 'the server met an unexpected condition'),
  bad_gateway: () => html(502, 'Bad Gateway'),
  service_unavailable: ({ retryAfter = 1 }) =>
    oauth(503, 'temporarily_unavailable', 'the service is temporarily unavailable', {
      'retry-after': String(retryAfter),
    }),
  gateway_timeout: () => html(504, 'Gateway Time-out'),
};

export function rateLimitHeaders(limit: number, remaining: number, resetUnixSeconds: number, retryAfter?: number) {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(resetUnixSeconds),
  };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return headers;
}

export const isHttpMode = (mode: Mode): mode is HttpMode => MODES[mode].kind === 'http';

/** The answer of an `http` mode. */
export function httpFailure(mode: HttpMode, options: HttpFailureOptions): Answer {
  const answer = HTTP_ANSWERS[mode](options);
  return options.status === undefined ? answer : { ...answer, status: options.status };
}

/** The answer of a `bad-success` mode, built from the registration that would have been sent. */
export function badSuccess(mode: Mode, client: Record<string, unknown>): Answer {
  const headers = JSON_NO_STORE;
  const text = JSON.stringify(client);
  switch (mode) {
    case 'malformed_json':
      return { status: 201, headers, body: text.slice(0, Math.floor(text.length / 2)) };
    case 'missing_client_id': {
      const { client_id: _omitted, ...rest } = client;
      return { status: 201, headers, body: JSON.stringify(rest) };
    }
    case 'status_200':
      return { status: 200, headers, body: text };
    case 'wrong_content_type':
      return { status: 201, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: text };
    default:
      throw new Error(`${mode} is not a bad-success mode`);
  }
}
