import { TOKEN_ENDPOINT_AUTH_METHODS } from './registration/metadata.js';

/**
 * The authorization server metadata served at both well-known paths. Auth0's issuer ends with `/`,
 * and openid-client compares it byte for byte with the URL it was given.
 */
export function discoveryDocument(
  issuer: string,
  options: { issParam?: boolean; cimd?: boolean } = {},
): Record<string, unknown> {
  const methods: string[] = [...TOKEN_ENDPOINT_AUTH_METHODS];
  if (options.cimd) methods.push('private_key_jwt');
  const document: Record<string, unknown> = {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: `${issuer}userinfo`,
    revocation_endpoint: `${issuer}oauth/revoke`,
    registration_endpoint: `${issuer}oidc/register`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_methods_supported: methods,
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'email', 'email_verified'],
  };
  if (options.cimd) document['token_endpoint_auth_signing_alg_values_supported'] = ['RS256', 'ES256', 'PS256', 'EdDSA'];
  if (options.issParam) document['authorization_response_iss_parameter_supported'] = true;
  if (options.cimd) document['client_id_metadata_document_supported'] = true;
  return document;
}

/** The issuer and the endpoints of a discovery document: its members that end in `_endpoint`, and `jwks_uri`. */
export function advertisedUrls(document: Record<string, unknown>): {
  issuer: string;
  endpoints: Record<string, string>;
} {
  const endpoints: Record<string, string> = {};
  for (const [name, value] of Object.entries(document)) {
    if ((name.endsWith('_endpoint') || name === 'jwks_uri') && typeof value === 'string') endpoints[name] = value;
  }
  return { issuer: String(document['issuer']), endpoints };
}

/** The issuer a server bound to host:port advertises when --issuer is not given. */
export function defaultIssuer(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}/`;
}
