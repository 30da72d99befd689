import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../errors.js';

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in time that depends on neither value: both are hashed to the same length first. */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** True when `given` is one of `accepted`; every candidate is compared, so the time says nothing about which. */
export function oneOfTokens(given: string | undefined, accepted: readonly string[]): boolean {
  let found = false;
  for (const token of accepted) found = sameToken(given ?? '', token) || found;
  return given !== undefined && found;
}

/**
 * The admin token's check, for the control plane and json-server's routes (which show every secret):
 * nothing to do without a token; else `Authorization: Bearer <token>` or a 401.
 */
export function adminRefusal(req: IncomingMessage, adminToken: string | undefined): OAuthError | undefined {
  if (adminToken === undefined || sameToken(bearerToken(req) ?? '', adminToken)) return undefined;
  return new OAuthError(401, 'invalid_token', 'this route requires Authorization: Bearer <admin token>', {
    'www-authenticate': 'Bearer realm="dcr-mock", error="invalid_token"',
  });
}
