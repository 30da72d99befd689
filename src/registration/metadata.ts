/** The client metadata dcr-mock knows (RFC 7591 §2, OIDC Registration 1.0); every other field is ignored. */
export interface ClientMetadata {
  redirect_uris: string[];
  client_name?: string;
  grant_types?: string[];
  response_types?: string[];
  token_endpoint_auth_method?: string;
  application_type?: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  jwks_uri?: string;
  contacts?: string[];
  scope?: string;
  software_id?: string;
  software_version?: string;
  software_statement?: string;
}

export type FieldKind = 'string' | 'uri' | 'string-list' | 'enum';

export interface FieldRule {
  readonly field: Exclude<keyof ClientMetadata, 'redirect_uris'>;
  readonly kind: FieldKind;
  readonly values?: readonly string[];
}

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'none'] as const;

/** Optional metadata, one row per field, checked by one loop in validate.ts. */
export const FIELD_RULES: readonly FieldRule[] = [
  { field: 'client_name', kind: 'string' },
  { field: 'grant_types', kind: 'string-list' },
  { field: 'response_types', kind: 'string-list' },
  { field: 'token_endpoint_auth_method', kind: 'enum', values: TOKEN_ENDPOINT_AUTH_METHODS },
  { field: 'application_type', kind: 'enum', values: ['web', 'native'] },
  { field: 'client_uri', kind: 'uri' },
  { field: 'logo_uri', kind: 'uri' },
  { field: 'tos_uri', kind: 'uri' },
  { field: 'policy_uri', kind: 'uri' },
  { field: 'jwks_uri', kind: 'uri' },
  { field: 'contacts', kind: 'string-list' },
  { field: 'scope', kind: 'string' },
  { field: 'software_id', kind: 'string' },
  { field: 'software_version', kind: 'string' },
  { field: 'software_statement', kind: 'string' },
];

export interface RedirectUriRule {
  /** True when the URI breaks the rule; `scheme` as URL#protocol has it ("https:"). */
  readonly breaks: (scheme: string, raw: string) => boolean;
  /** Completes "redirect_uris[i] must …". */
  readonly must: string;
}

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:']);

/** Rules every redirect URI must pass, in every profile (RFC 6749 §3.1.2, Auth0's exact matching). */
export const REDIRECT_URI_RULES: readonly RedirectUriRule[] = [
  {
    breaks: (scheme) => FORBIDDEN_SCHEMES.has(scheme),
    must: 'not use the javascript:, data:, vbscript: or file: scheme',
  },
  { breaks: (_scheme, raw) => raw.includes('#'), must: 'not contain a fragment (#)' },
  { breaks: (_scheme, raw) => raw.includes('*'), must: 'not contain a wildcard (*): callbacks are matched exactly' },
  { breaks: (_scheme, raw) => /\s/.test(raw), must: 'not contain white space' },
];

export const APPLICATION_TYPES = ['web', 'native'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** RFC 8252 §7.3: the loopback hosts a redirect URI may name over plain http, on any port. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const isHttpLoopback = (uri: URL) => uri.protocol === 'http:' && LOOPBACK_HOSTS.has(uri.hostname);
const usesImplicit = (metadata: ClientMetadata) =>
  (metadata.response_types ?? []).some((type) =>
    type.split(' ').some((part) => part === 'token' || part === 'id_token'),
  );

export interface OidcRedirectUriRule {
  /** True when the URI breaks the rule. */
  readonly breaks: (uri: URL) => boolean;
  /** Completes "redirect_uris[i] must …". */
  readonly must: string;
  readonly applicationType: ApplicationType;
  /** Only for clients this is true of; every client of the type when absent. */
  readonly when?: (metadata: ClientMetadata) => boolean;
}

/**
 * OpenID Connect Registration 1.0 §2 (application_type) with RFC 8252 for native apps, applied when
 * the OIDC rules are on. A client's application_type defaults to web.
 */
export const OIDC_REDIRECT_URI_RULES: readonly OidcRedirectUriRule[] = [
  {
    applicationType: 'web',
    breaks: (uri) => uri.protocol !== 'https:' && !isHttpLoopback(uri),
    must: 'use https (or http on a loopback host: localhost, 127.0.0.1, [::1]) for a web client',
  },
  {
    applicationType: 'web',
    when: usesImplicit,
    breaks: (uri) => uri.protocol !== 'https:' || uri.hostname === 'localhost',
    must: 'use https and a host other than localhost for a web client using the implicit flow',
  },
  {
    applicationType: 'native',
    breaks: (uri) => uri.protocol === 'http:' && !isHttpLoopback(uri),
    must: 'use a custom scheme, https, or http on a loopback host (localhost, 127.0.0.1, [::1]) for a native client',
  },
];
