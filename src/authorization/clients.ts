import { timingSafeEqual } from 'node:crypto';
import type { ClientRecord } from '../store/shape.js';

/** A stored client, as the authorization server sees it. */
export interface AuthClient {
  readonly client_id: string;
  readonly name: string;
  readonly secret: string | undefined;
  /** As registered: client_secret_post, client_secret_basic or none. */
  readonly authMethod: string;
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  /** No secret: authenticates with its client_id alone and must use PKCE. */
  readonly isPublic: boolean;
  /**
   * Auth0's strict third-party mode (a dynamically registered client in the auth0 profile): PKCE always,
   * Auth0's short list of /authorize parameters, no id_token, no /userinfo, no client_credentials.
   */
  readonly strict: boolean;
  /** A fixture: a first-party application of the tenant. */
  readonly firstParty: boolean;
  /** private_key_jwt: the keys its client assertions are signed with (a JWK set, or where to get one). */
  readonly jwks?: { keys: Record<string, unknown>[] } | undefined;
  readonly jwksUri?: string | undefined;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

export function authClientOf(record: ClientRecord, facts: { firstParty: boolean; strictProfile: boolean }): AuthClient {
  const secret = typeof record['client_secret'] === 'string' ? record['client_secret'] : undefined;
  const method =
    typeof record['token_endpoint_auth_method'] === 'string'
      ? record['token_endpoint_auth_method']
      : 'client_secret_post';
  const grantTypes = strings(record['grant_types']);
  return {
    client_id: record.client_id,
    name: typeof record['client_name'] === 'string' ? record['client_name'] : record.client_id,
    secret,
    authMethod: method,
    redirectUris: strings(record['redirect_uris']),
    grantTypes: grantTypes.length > 0 ? grantTypes : ['authorization_code'],
    isPublic: method === 'none' || secret === undefined,
    strict: facts.strictProfile && !facts.firstParty,
    firstParty: facts.firstParty,
  };
}

/** Equal secrets, compared in constant time. */
export function secretMatches(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
