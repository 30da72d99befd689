import type { Profile } from '../config.js';
import type { Credentials } from './credentials.js';
import type { ClientMetadata } from './metadata.js';

/** What differs between the servers dcr-mock emulates. */
export interface ProfileSpec {
  readonly name: Profile;
  readonly idPrefix: string;
  readonly defaultAuthMethod: string;
  /** Grant types kept from the request; undefined keeps them all. */
  readonly grantTypes: readonly string[] | undefined;
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
};

export function profileSpec(profile: Profile): ProfileSpec {
  const spec = PROFILE_SPECS[profile];
  if (!spec) throw new Error(`profile ${profile} is not implemented`);
  return spec;
}

/** The registration response, fields in Auth0's order, so equal inputs give equal bytes. */
export function auth0Response(spec: ProfileSpec, metadata: ClientMetadata, credentials: Credentials): Record<string, unknown> {
  const method = metadata.token_endpoint_auth_method ?? spec.defaultAuthMethod;
  const requested = metadata.grant_types ?? ['authorization_code'];
  const kept = spec.grantTypes ? requested.filter((g) => spec.grantTypes?.includes(g)) : requested;
  const withSecret = method !== 'none';
  return {
    client_name: metadata.client_name ?? 'My App',
    client_id: credentials.client_id,
    ...(withSecret ? { client_secret: credentials.client_secret, client_secret_expires_at: 0 } : {}),
    redirect_uris: metadata.redirect_uris,
    grant_types: kept.length > 0 ? [...new Set(kept)] : ['authorization_code'],
    token_endpoint_auth_method: method,
  };
}
