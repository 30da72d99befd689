import { describe, expect, it } from 'vitest';
import type { OAuthError } from '../../../src/errors.js';
import { type CodeBinding, AuthorizationCodes } from '../../../src/authorization/codes.js';
import { seededDraw } from '../../../src/authorization/draw.js';
import { testClock } from './clock.js';

// RFC 7636 appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const binding: CodeBinding = {
  client_id: 'tpc_a',
  redirect_uri: 'http://127.0.0.1:8080/callback',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  scope: ['openid', 'offline_access'],
  audience: 'https://api.example.com',
  nonce: 'n-1',
  sub: 'auth0|000000000000000000000001',
};

function codes(seed = 'dcr-mock') {
  const { clock, advance } = testClock();
  return { codes: new AuthorizationCodes({ draw: seededDraw(seed), clock }), advance };
}

const redemption = (code: string) => ({
  code,
  client_id: binding.client_id,
  redirect_uri: binding.redirect_uri,
  code_verifier: VERIFIER,
});

const refusal = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (err) {
    return { status: (err as OAuthError).status, ...(err as OAuthError).toBody() };
  }
};
const invalidCode = { status: 403, error: 'invalid_grant', error_description: 'Invalid authorization code' };

describe('authorization codes', () => {
  it('are bound to everything /authorize decided, and redeemed once', () => {
    const { codes: store } = codes();
    const { code } = store.issue(binding);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.redeem(redemption(code))).toMatchObject({ ...binding, code });
    expect(refusal(() => store.redeem(redemption(code)))).toEqual(invalidCode);
  });

  it('live ten minutes of the injected clock', () => {
    const { codes: store, advance } = codes();
    const { code } = store.issue(binding);
    advance(599);
    expect(store.check(redemption(code)).code).toBe(code);
    advance(1);
    expect(refusal(() => store.check(redemption(code)))).toEqual(invalidCode);
    expect(store.list()).toEqual([]);
  });

  it.each([
    ['an unknown code', { code: 'x'.repeat(43) }, invalidCode],
    ['no code', { code: undefined }, invalidCode],
    ["another client's code", { client_id: 'tpc_b' }, invalidCode],
    ['another redirect URI', { redirect_uri: 'http://127.0.0.1:8080/other' }, invalidCode],
    ['no redirect URI', { redirect_uri: undefined }, invalidCode],
    [
      'a wrong verifier',
      { code_verifier: 'y'.repeat(43) },
      { ...invalidCode, error_description: 'Failed to verify code verifier' },
    ],
    [
      'no verifier',
      { code_verifier: undefined },
      { ...invalidCode, error_description: 'Failed to verify code verifier' },
    ],
  ])('refuse %s, and stay redeemable by the right request', (_, change, expected) => {
    const { codes: store } = codes();
    const { code } = store.issue(binding);
    expect(refusal(() => store.redeem({ ...redemption(code), ...change }))).toEqual(expected);
    expect(store.redeem(redemption(code)).code).toBe(code);
  });

  it('without a challenge, redeem without a verifier', () => {
    const { codes: store } = codes();
    const { code } = store.issue({ ...binding, code_challenge: undefined, code_challenge_method: undefined });
    expect(store.redeem({ ...redemption(code), code_verifier: undefined }).code).toBe(code);
  });

  it('are checked without being spent until spend', () => {
    const { codes: store } = codes();
    const { code } = store.issue(binding);
    store.check(redemption(code));
    store.check(redemption(code));
    store.spend(code);
    expect(refusal(() => store.check(redemption(code)))).toEqual(invalidCode);
  });

  it('are drawn from the seed: the same sequence on every run, another for another seed, again after a reset', () => {
    const draw = (seed: string) => {
      const { codes: store } = codes(seed);
      return [1, 2, 3].map(() => store.issue(binding).code);
    };
    const first = draw('dcr-mock');
    expect(draw('dcr-mock')).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(draw('another')).not.toContain(first[0]);
    const { codes: store } = codes();
    store.issue(binding);
    store.clear();
    expect(store.issue(binding).code).toBe(first[0]);
  });
});
