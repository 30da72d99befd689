import type { Credentials } from './credentials.js';
import { type ClientMetadata, FIELD_RULES } from './metadata.js';

/** The servers dcr-mock emulates. */
export const PROFILES = ['auth0', 'auth0-permissive', 'rfc7591'] as const;
export type Profile = (typeof PROFILES)[number];

/** What differs between the servers dcr-mock emulates. */
export interface ProfileSpec {
  readonly name: Profile;
  readonly idPrefix: string;
  readonly defaultAuthMethod: string;
  /** Grant types kept from the request; undefined keeps them all. */
  readonly grantTypes: readonly string[] | undefined;
  /** The answer's shape: Auth0's few fields, or every registered value (RFC 7591 §3.2.1). Default auth0. */
  readonly shape?: 'auth0' | 'rfc7591';
  /** RFC 7592 management: registration access tokens and GET/PUT/DELETE /oidc/register/:client_id. */
  readonly management?: boolean;
  /** Whether OIDC Registration 1.0's rules apply unless --oidc-rules says otherwise. */
  readonly oidcRules?: boolean;
}

const AUTH0_GRANT_TYPES = ['authorization_code', 'refresh_token'];

export const PROFILE_SPECS: Readonly<Partial<Record<Profile, ProfileSpec>>> = {
  auth0: { name: 'auth0', idPrefix: 'tpc_', defaultAuthMethod: 'client_secret_post', grantTypes: AUTH0_GRANT_TYPES },
  'auth0-permissive': {
    name: 'auth0-permissive',
    idPrefix: '',
    defaultAuthMethod: 'client_secret_post',
    grantTypes: undefined,
  },
  rfc7591: {
    name: 'rfc7591',
    idPrefix: '',
    defaultAuthMethod: 'client_secret_basic',
    grantTypes: undefined,
    shape: 'rfc7591',
    management: true,
    oidcRules: true,
  },
};

export function profileSpec(profile: Profile): ProfileSpec {
  const spec = PROFILE_SPECS[profile];
  if (!spec) throw new Error(`profile ${profile} is not implemented`);
  return spec;
}

/** The registration response, fields in Auth0's order, so equal inputs give equal bytes. */
export function auth0Response(
  spec: ProfileSpec,
  metadata: ClientMetadata,
  credentials: Credentials,
): Record<string, unknown> {
  const method = metadata.token_endpoint_auth_method ?? spec.defaultAuthMethod;
  const requested = metadata.grant_types ?? ['authorization_code'];
  const kept = spec.grantTypes ? knownOnes(requested, spec.grantTypes) : [...new Set(requested)];
  const withSecret = method !== 'none';
  return {
    client_name: metadata.client_name ?? 'My App',
    client_id: credentials.client_id,
    ...(withSecret ? { client_secret: credentials.client_secret, client_secret_expires_at: 0 } : {}),
    redirect_uris: metadata.redirect_uris,
    grant_types: kept.length > 0 ? kept : ['authorization_code'],
    token_endpoint_auth_method: method,
  };
}

/** The values asked for that `known` holds, once each, in the order asked. */
function knownOnes(requested: readonly string[], known: readonly string[]): string[] {
  return [...new Set(requested.filter((value) => known.includes(value)))];
}

/** What an RFC 7591 answer holds besides the metadata and the credentials. */
export interface IssuedFacts {
  /** client_id_issued_at, in seconds. */
  readonly issuedAt: number;
  /** RFC 7592: the token that manages the client, when the profile has management. */
  readonly registrationAccessToken?: string | undefined;
  /** The OIDC rules are on: application_type is part of the registration (default web). */
  readonly oidcRules: boolean;
}

/** Registered fields echoed after the ones RFC 7591 §3.2.1 puts first, in the order of the metadata table. */
const ECHOED = FIELD_RULES.map((r) => r.field).filter(
  (f) => !['token_endpoint_auth_method', 'grant_types', 'response_types'].includes(f),
);

/**
 * RFC 7591 §3.2.1: client_id, the secret and its times, then every registered value, defaults
 * included (auth method client_secret_basic, grant_types authorization_code, response_types code).
 */
export function rfc7591Response(
  spec: ProfileSpec,
  metadata: ClientMetadata,
  credentials: Credentials,
  facts: IssuedFacts,
): Record<string, unknown> {
  const method = metadata.token_endpoint_auth_method ?? spec.defaultAuthMethod;
  const withSecret = method !== 'none';
  const response: Record<string, unknown> = {
    client_id: credentials.client_id,
    ...(withSecret ? { client_secret: credentials.client_secret } : {}),
    client_id_issued_at: facts.issuedAt,
    ...(withSecret ? { client_secret_expires_at: 0 } : {}),
    redirect_uris: metadata.redirect_uris,
    token_endpoint_auth_method: method,
    grant_types: metadata.grant_types ?? ['authorization_code'],
    response_types: metadata.response_types ?? ['code'],
  };
  const registered: Record<string, unknown> = { ...metadata };
  if (facts.oidcRules) registered['application_type'] = metadata.application_type ?? 'web';
  for (const field of ECHOED) if (registered[field] !== undefined) response[field] = registered[field];
  if (facts.registrationAccessToken !== undefined)
    response['registration_access_token'] = facts.registrationAccessToken;
  return response;
}

/** The registration response of any profile. */
export function clientResponse(
  spec: ProfileSpec,
  metadata: ClientMetadata,
  credentials: Credentials,
  facts: IssuedFacts,
): Record<string, unknown> {
  return spec.shape === 'rfc7591'
    ? rfc7591Response(spec, metadata, credentials, facts)
    : auth0Response(spec, metadata, credentials);
}
