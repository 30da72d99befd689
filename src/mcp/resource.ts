import { OAuthError } from '../errors.js';

/** The scope the MCP server's tools take, and the one its admin tool needs besides (for step-up). */
export const MCP_SCOPE = 'mcp:tools';
export const ADMIN_SCOPE = 'mcp:admin';
export const MCP_PATH = '/mcp';
export const PRM_PATH = '/.well-known/oauth-protected-resource';

/** The MCP server's resource identifier: the URL a client connects to, and the audience of its tokens. */
export const mcpResource = (issuer: string): string => `${issuer}mcp`;

/** RFC 9728 §3.1: the metadata URL of the resource, its path inserted after the well-known one. */
export function prmUrl(issuer: string): string {
  const resource = new URL(mcpResource(issuer));
  return `${resource.origin}${PRM_PATH}${resource.pathname}`;
}

/** RFC 9728 protected resource metadata for /mcp. `scopes_supported` lists what the tools take; the admin scope is asked for by step-up. */
export function prmDocument(issuer: string): Record<string, unknown> {
  return {
    resource: mcpResource(issuer),
    authorization_servers: [issuer],
    scopes_supported: [MCP_SCOPE],
    bearer_methods_supported: ['header'],
    resource_name: 'dcr-mock MCP server',
  };
}

const quoted = (value: string): string => `"${value.replace(/["\\]/g, '')}"`;

/** RFC 6750 §3 and RFC 9728 §5.1: a Bearer challenge that tells the client where the resource's metadata is. */
export function bearerChallenge(fields: Readonly<Record<string, string | undefined>>): string {
  const params = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${quoted(value!)}`);
  return `Bearer ${params.join(', ')}`;
}

/** A request to /mcp with no usable token: 401, pointing at the metadata, with the scope to ask for. */
export function unauthorized(issuer: string, description: string, error?: string): OAuthError {
  const header = bearerChallenge({
    error,
    error_description: error ? description : undefined,
    resource_metadata: prmUrl(issuer),
    scope: MCP_SCOPE,
  });
  return new OAuthError(401, error ?? 'invalid_request', description, { 'www-authenticate': header });
}

/** A token without the scope a tool needs: 403 insufficient_scope, with every scope to ask for (RFC 6750 §3.1). */
export function insufficientScope(issuer: string, granted: readonly string[], needed: string): OAuthError {
  const scope = [...new Set([...granted, MCP_SCOPE, needed])].join(' ');
  const header = bearerChallenge({
    error: 'insufficient_scope',
    error_description: `this tool needs the scope ${needed}`,
    resource_metadata: prmUrl(issuer),
    scope,
  });
  return new OAuthError(403, 'insufficient_scope', `this tool needs the scope ${needed}`, {
    'www-authenticate': header,
  });
}
