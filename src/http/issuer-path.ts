/** The metadata documents that RFC 8414 §3.1 and RFC 9728 §3.1 find by inserting the issuer's path after them. */
export const WELL_KNOWN = [
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-protected-resource',
];

/**
 * The path a request is routed by when the issuer has a path (`http://host/tenant-a/`): every endpoint
 * lives under it (`/tenant-a/authorize` → `/authorize`), and the well-known documents answer where a
 * client inserts the path (`/.well-known/openid-configuration/tenant-a` → `/.well-known/openid-configuration`).
 * Paths outside the issuer's stay as they are, so the root routes keep working.
 */
export function routedPath(path: string, issuerPath: string): string {
  if (issuerPath === '/' || issuerPath === '') return path;
  const base = issuerPath.endsWith('/') ? issuerPath.slice(0, -1) : issuerPath;
  if (path === base) return '/';
  if (path.startsWith(`${base}/`)) return path.slice(base.length);
  for (const known of WELL_KNOWN) {
    if (path === `${known}${base}`) return known;
    if (path.startsWith(`${known}${base}/`)) return `${known}${path.slice(known.length + base.length)}`;
  }
  return path;
}
