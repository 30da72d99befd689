import {
  InvalidClientMetadata,
  InvalidRedirectUri,
  InvalidSoftwareStatement,
  OAuthError,
  RegistrationDisabled,
  TooManyEntities,
  UnapprovedSoftwareStatement,
} from '../errors.js';
import type { Answer } from '../http/answer.js';
import { AUTHORIZATION_ENDPOINTS } from './authorization-modes.js';
import type { EndpointSpec, HttpFailureOptions, ModeSpec } from './catalogue-types.js';
import { COMMON_MODES, injected } from './common-modes.js';

export type { EndpointSpec, FailureKind, HttpFailureOptions, ModeSpec } from './catalogue-types.js';
export { COMMON_MODES, NOTE } from './common-modes.js';

/** POST /oidc/register's own modes. */
const REGISTRATION_MODES = {
  invalid_redirect_uri: {
    group: 'RFC 7591',
    kind: 'http',
    summary: '400 invalid_redirect_uri',
    answer: injected(new InvalidRedirectUri('redirect_uris must be acceptable to this server')),
  },
  invalid_client_metadata: {
    group: 'RFC 7591',
    kind: 'http',
    summary: '400 invalid_client_metadata',
    answer: injected(new InvalidClientMetadata('client metadata must be acceptable to this server')),
  },
  invalid_software_statement: {
    group: 'RFC 7591',
    kind: 'http',
    summary: '400 invalid_software_statement',
    answer: injected(new InvalidSoftwareStatement('software_statement must be a valid JWT')),
  },
  unapproved_software_statement: {
    group: 'RFC 7591',
    kind: 'http',
    summary: '400 unapproved_software_statement',
    answer: injected(new UnapprovedSoftwareStatement('software_statement must be approved by this server')),
  },
  registration_disabled: {
    group: 'Auth0',
    kind: 'http',
    summary: "400, Auth0's 'dynamic client registration is disabled'",
    answer: () => new RegistrationDisabled().toAnswer(),
  },
  too_many_entities: {
    group: 'Auth0',
    kind: 'http',
    summary: '403, tenant application limit reached',
    answer: () => new TooManyEntities().toAnswer(),
  },
  rate_limited: COMMON_MODES.rate_limited,
  invalid_token: {
    group: 'token',
    kind: 'http',
    summary: '401 with WWW-Authenticate: Bearer error="invalid_token"',
    answer: injected(
      new OAuthError(401, 'invalid_token', 'the access token must be valid', {
        'www-authenticate': 'Bearer error="invalid_token", error_description="the access token is invalid"',
      }),
    ),
  },
  server_error: COMMON_MODES.server_error,
  bad_gateway: COMMON_MODES.bad_gateway,
  service_unavailable: COMMON_MODES.service_unavailable,
  gateway_timeout: COMMON_MODES.gateway_timeout,
  malformed_json: { ...COMMON_MODES.malformed_json, summary: '201 whose JSON body is cut off' },
  missing_client_id: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '201 without client_id',
    spoil: (success) => {
      const { client_id: _omitted, ...rest } = JSON.parse(success.body) as Record<string, unknown>;
      return { ...success, body: JSON.stringify(rest) };
    },
  },
  status_200: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '200 instead of 201',
    spoil: (success) => ({ ...success, status: 200 }),
  },
  wrong_content_type: {
    group: 'bad success',
    kind: 'bad-success',
    summary: '201 labelled text/html',
    spoil: (success) => ({ ...success, headers: { ...success.headers, 'content-type': 'text/html; charset=utf-8' } }),
  },
  delay: COMMON_MODES.delay,
  timeout: COMMON_MODES.timeout,
  reset: COMMON_MODES.reset,
  empty_response: COMMON_MODES.empty_response,
  truncated: COMMON_MODES.truncated,
  slow_body: COMMON_MODES.slow_body,
} as const satisfies Record<string, ModeSpec>;

/** The endpoints a rule may name, each with its table. */
export class Catalogue {
  readonly #endpoints: ReadonlyMap<string, EndpointSpec>;

  constructor(endpoints: Readonly<Record<string, EndpointSpec>>) {
    this.#endpoints = new Map(Object.entries(endpoints));
  }

  get endpointNames(): string[] {
    return [...this.#endpoints.keys()];
  }

  endpoint(name: string): EndpointSpec | undefined {
    return this.#endpoints.get(name);
  }

  /** The endpoint's modes, in table order; none for an unknown endpoint. */
  modeNames(endpoint: string): string[] {
    return Object.keys(this.#endpoints.get(endpoint)?.modes ?? {});
  }

  mode(endpoint: string, mode: string): ModeSpec | undefined {
    const modes = this.#endpoints.get(endpoint)?.modes;
    return modes && Object.hasOwn(modes, mode) ? modes[mode] : undefined;
  }

  /** This catalogue and one more endpoint, which gets every common mode and `modes` of its own. */
  with(name: string, own: { modes?: Readonly<Record<string, ModeSpec>>; matchKeys?: readonly string[] }): Catalogue {
    const endpoints = Object.fromEntries(this.#endpoints);
    endpoints[name] = { modes: { ...COMMON_MODES, ...own.modes }, matchKeys: own.matchKeys ?? [] };
    return new Catalogue(endpoints);
  }
}

/** The endpoint a rule is for when it names none: every rule written before endpoints existed keeps its meaning. */
export const DEFAULT_ENDPOINT = 'registration';

export const CATALOGUE = new Catalogue({
  registration: { modes: REGISTRATION_MODES, matchKeys: ['client_name', 'redirect_uri'] },
  ...AUTHORIZATION_ENDPOINTS,
});

/** Registration's modes (the default endpoint's), as the CLI, the docs and the inspector list them. */
export const MODES: Readonly<Record<Mode, ModeSpec>> = REGISTRATION_MODES;
export type Mode = keyof typeof REGISTRATION_MODES;
export const MODE_NAMES = Object.keys(MODES) as Mode[];
export const isMode = (name: string): name is Mode => Object.hasOwn(MODES, name);

type HttpMode = { [M in Mode]: (typeof REGISTRATION_MODES)[M]['kind'] extends 'http' ? M : never }[Mode];
export const isHttpMode = (mode: string): mode is HttpMode => isMode(mode) && MODES[mode].kind === 'http';

/** The answer of a registration `http` mode. */
export function httpFailure(mode: HttpMode, options: HttpFailureOptions): Answer {
  return httpAnswer(MODES[mode], options);
}

/** An `http` mode's answer, with the rule's status in place of the mode's when it gives one. */
export function httpAnswer(spec: ModeSpec, options: HttpFailureOptions): Answer {
  if (!spec.answer) throw new Error(`${spec.summary} is not an HTTP answer`);
  const answer = spec.answer(options);
  return options.status === undefined ? answer : { ...answer, status: options.status };
}
