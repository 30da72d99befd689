import { describe, expect, it } from 'vitest';
import type { OAuthError } from '../../../src/errors.js';
import { checkVerifier, readChallenge, s256, verifierMatches } from '../../../src/authorization/pkce.js';

// RFC 7636 appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const refusal = (run: () => unknown): Record<string, unknown> | undefined => {
  try {
    run();
    return undefined;
  } catch (err) {
    return { status: (err as OAuthError).status, ...(err as OAuthError).toBody() };
  }
};

describe('S256', () => {
  it("gives RFC 7636 appendix B's challenge for its verifier", () => {
    expect(s256(VERIFIER)).toBe(CHALLENGE);
    expect(verifierMatches(VERIFIER, CHALLENGE)).toBe(true);
  });

  it.each([
    ['another verifier', `${VERIFIER.slice(0, -1)}A`],
    ['a verifier too short', VERIFIER.slice(0, 42)],
    ['a verifier too long', 'a'.repeat(129)],
    ['a verifier with a character outside the unreserved set', `${VERIFIER.slice(0, -1)}+`],
    ['no verifier', undefined],
    ['the challenge itself (plain)', CHALLENGE],
  ])('refuses %s', (_, verifier) => {
    expect(verifierMatches(verifier, CHALLENGE)).toBe(false);
  });
});

describe('readChallenge, at /authorize', () => {
  it.each([
    ['S256, required', { code_challenge: CHALLENGE, code_challenge_method: 'S256' }, true],
    ['S256, optional', { code_challenge: CHALLENGE, code_challenge_method: 'S256' }, false],
  ])('accepts %s', (_, params, required) => {
    expect(readChallenge(params, required)).toEqual({ code_challenge: CHALLENGE, code_challenge_method: 'S256' });
  });

  it('gives nothing when PKCE is optional and absent', () => {
    expect(readChallenge({}, false)).toBeUndefined();
  });

  it.each([
    ['no challenge where PKCE is required', {}, true, /^code_challenge must be given: this client must use PKCE/],
    [
      'a method without a challenge',
      { code_challenge_method: 'S256' },
      false,
      /must be given with code_challenge_method/,
    ],
    ['plain', { code_challenge: CHALLENGE, code_challenge_method: 'plain' }, false, /plain method is not allowed/],
    ['no method (plain by default)', { code_challenge: CHALLENGE }, false, /plain method is not allowed/],
    [
      'an unknown method',
      { code_challenge: CHALLENGE, code_challenge_method: 'S512' },
      false,
      /must be S256, got "S512"/,
    ],
    [
      'a challenge of the wrong length',
      { code_challenge: 'abc', code_challenge_method: 'S256' },
      false,
      /43 base64url/,
    ],
  ])('refuses %s with invalid_request', (_, params, required, description) => {
    const body = refusal(() => readChallenge(params, required));
    expect(body).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(body?.['error_description']).toMatch(description);
  });
});

describe('checkVerifier, at the token endpoint', () => {
  const bad = { status: 403, error: 'invalid_grant', error_description: 'Failed to verify code verifier' };
  it.each([
    ['the right verifier', VERIFIER, CHALLENGE, undefined],
    ['no verifier and no challenge', undefined, undefined, undefined],
    ['a wrong verifier', 'x'.repeat(43), CHALLENGE, bad],
    ['a missing verifier', undefined, CHALLENGE, bad],
    // OAuth 2.1 §4.1.3: a verifier for a code issued without a challenge is a downgrade to refuse.
    ['a verifier with no challenge', VERIFIER, undefined, bad],
  ])('%s', (_, verifier, challenge, expected) => {
    expect(refusal(() => checkVerifier(verifier, challenge))).toEqual(expected);
  });
});
