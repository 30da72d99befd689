import { WELL_KNOWN } from './issuer-path.js';

/** Where the tenants live: `/t/NAME/` is the issuer of the tenant NAME. */
export const TENANT_PREFIX = '/t/';

/**
 * The tenant a request is for: `/t/NAME` and everything under it, and the well-known documents a client
 * finds by inserting the tenant issuer's path (`/.well-known/openid-configuration/t/NAME`). `''` for
 * `/t/` itself; undefined for a path of the default issuer.
 */
export function tenantOfPath(path: string): string | undefined {
  let rest: string | undefined;
  if (path.startsWith(TENANT_PREFIX)) rest = path.slice(TENANT_PREFIX.length);
  else {
    for (const known of WELL_KNOWN) {
      if (path.startsWith(`${known}${TENANT_PREFIX}`)) {
        rest = path.slice(known.length + TENANT_PREFIX.length);
        break;
      }
    }
  }
  if (rest === undefined) return undefined;
  const end = rest.indexOf('/');
  return end === -1 ? rest : rest.slice(0, end);
}
