import { createHash, timingSafeEqual } from 'node:crypto';
import { BAD_CODE_VERIFIER, InvalidGrant, InvalidRequest } from './errors.js';

/** RFC 7636 §4.1 and §4.2: 43 to 128 characters of the unreserved set; a S256 challenge is always 43. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export interface PkceChallenge {
  readonly code_challenge: string;
  readonly code_challenge_method: 'S256';
}

/** S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/**
 * The authorization request's PKCE parameters: undefined when there are none and PKCE is optional
 * for this client. `plain` is refused (OAuth 2.1, Auth0 strict mode); an absent method means plain.
 * Throws InvalidRequest, which /authorize sends to the redirect URI.
 */
export function readChallenge(
  params: { readonly code_challenge?: string | undefined; readonly code_challenge_method?: string | undefined },
  required: boolean,
): PkceChallenge | undefined {
  const { code_challenge: challenge, code_challenge_method: method } = params;
  if (challenge === undefined || challenge === '') {
    if (required) throw new InvalidRequest('code_challenge must be given: this client must use PKCE with S256');
    if (method !== undefined && method !== '')
      throw new InvalidRequest('code_challenge must be given with code_challenge_method');
    return undefined;
  }
  if (method !== 'S256') {
    throw new InvalidRequest(
      method === undefined || method === '' || method === 'plain'
        ? 'code_challenge_method must be S256: the plain method is not allowed'
        : `code_challenge_method must be S256, got ${JSON.stringify(method)}`,
    );
  }
  if (!S256_CHALLENGE.test(challenge)) {
    throw new InvalidRequest('code_challenge must be 43 base64url characters, the S256 hash of the code verifier');
  }
  return { code_challenge: challenge, code_challenge_method: 'S256' };
}

/** True when the verifier is well formed and its S256 hash is the challenge (compared in constant time). */
export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
  if (typeof verifier !== 'string' || !VERIFIER.test(verifier)) return false;
  const expected = Buffer.from(challenge);
  const actual = Buffer.from(s256(verifier));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The token endpoint's check: Auth0's `403 invalid_grant` "Failed to verify code verifier" unless it matches. */
export function checkVerifier(verifier: string | undefined, challenge: string | undefined): void {
  if (challenge === undefined) {
    if (verifier !== undefined) throw new InvalidGrant(BAD_CODE_VERIFIER);
    return;
  }
  if (!verifierMatches(verifier, challenge)) throw new InvalidGrant(BAD_CODE_VERIFIER);
}
