import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { InvalidToken } from '../../../src/errors.js';
import { seededDraw } from '../../../src/authorization/draw.js';
import { KeySet } from '../../../src/authorization/keys.js';
import { type TokenDialect, TokenIssuer } from '../../../src/authorization/tokens.js';
import { defaultUser } from '../../../src/authorization/users.js';
import { testClock } from './clock.js';

const ISSUER = 'https://tenant.example.com/';
const API = 'https://api.example.com';
const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;

function issuer(options: { dialect?: TokenDialect; seed?: string } = {}) {
  const { clock, advance } = testClock();
  const seed = options.seed ?? 'dcr-mock';
  const keys = new KeySet({ seed });
  const tokens = new TokenIssuer({ issuer: ISSUER, keys, clock, draw: seededDraw(seed), dialect: options.dialect });
  return { tokens, keys, advance };
}

const user = { ...defaultUser('dcr-mock'), nickname: 'user', 'https://example.com/roles': ['admin'] };
const userRequest = {
  sub: user.sub,
  clientId: 'tpc_client',
  audience: API,
  scope: ['openid', 'profile', 'offline_access'],
};

describe('access tokens', () => {
  it("are Auth0's: RS256, typ JWT and the kid; iss, sub, aud with userinfo when openid, iat, exp, azp, scope", async () => {
    const { tokens, keys } = issuer();
    const issued = await tokens.accessToken(userRequest);
    const kid = (await keys.current()).kid;
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'RS256', typ: 'JWT', kid });
    expect(JSON.stringify(decodeJwt(issued.token))).toBe(
      JSON.stringify({
        iss: ISSUER,
        sub: user.sub,
        aud: [API, `${ISSUER}userinfo`],
        iat: T0,
        exp: T0 + 86_400,
        azp: 'tpc_client',
        scope: 'openid profile offline_access',
      }),
    );
    expect(issued).toMatchObject({ format: 'jwt', expiresIn: 86_400 });
    // Verified as an API would: against the published JWKS.
    const { payload } = await jwtVerify(issued.token, createLocalJWKSet(await keys.jwks()), {
      issuer: ISSUER,
      audience: API,
      currentDate: new Date(T0 * 1000),
    });
    expect(payload.sub).toBe(user.sub);
  });

  it.each([
    ['without openid, the API alone', ['read:things'], API],
    ['with no scope, no scope claim', [], API],
  ])('have for aud %s', async (_, scope, aud) => {
    const claims = decodeJwt((await issuer().tokens.accessToken({ ...userRequest, scope })).token);
    expect(claims.aud).toBe(aud);
    expect(claims.scope).toBe(scope.length ? scope.join(' ') : undefined);
  });

  it('in the rfc9068 dialect have typ at+jwt, client_id and a jti drawn from the seed, and no azp', async () => {
    const { tokens } = issuer({ dialect: 'rfc9068' });
    const first = await tokens.accessToken(userRequest);
    const second = await tokens.accessToken(userRequest);
    expect(decodeProtectedHeader(first.token).typ).toBe('at+jwt');
    const claims = decodeJwt(first.token);
    expect(Object.keys(claims)).toEqual(['iss', 'sub', 'aud', 'iat', 'exp', 'client_id', 'jti', 'scope']);
    expect(claims.client_id).toBe('tpc_client');
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(decodeJwt(second.token).jti).not.toBe(claims.jti);
  });

  it("mark client_credentials as Auth0 does, with gty and the client's @clients sub", async () => {
    const claims = decodeJwt(
      (
        await issuer().tokens.accessToken({
          sub: 'm2m@clients',
          clientId: 'm2m',
          audience: API,
          scope: ['read:x'],
          grantType: 'client_credentials',
        })
      ).token,
    );
    expect(claims).toMatchObject({ sub: 'm2m@clients', gty: 'client-credentials', azp: 'm2m', aud: API });
  });

  it('are opaque without an audience, drawn from the seed, and good for /userinfo only', async () => {
    const { tokens, advance } = issuer();
    const issued = await tokens.accessToken({ ...userRequest, audience: undefined, scope: ['openid', 'email'] });
    expect(issued.format).toBe('opaque');
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await tokens.verifyAccessToken(issued.token)).toMatchObject({
      sub: user.sub,
      scope: ['openid', 'email'],
      clientId: 'tpc_client',
    });
    advance(86_400);
    await expect(tokens.verifyAccessToken(issued.token)).rejects.toThrow('access token must not have expired');
  });
});

describe('id tokens', () => {
  it.each([
    [['openid'], ['https://example.com/roles', 'iss', 'sub', 'aud', 'iat', 'exp', 'nonce']],
    [
      ['openid', 'email'],
      ['email', 'email_verified', 'https://example.com/roles', 'iss', 'sub', 'aud', 'iat', 'exp', 'nonce'],
    ],
    [
      ['openid', 'profile'],
      ['name', 'nickname', 'https://example.com/roles', 'iss', 'sub', 'aud', 'iat', 'exp', 'nonce'],
    ],
  ])(
    'for %j carry the claims the scope releases, then iss, sub, aud = client, iat, exp, nonce',
    async (scope, keys) => {
      const issued = await issuer().tokens.idToken({ user, clientId: 'tpc_client', scope, nonce: 'n-0S6_WzA2Mj' });
      const claims = decodeJwt(issued.token);
      expect(Object.keys(claims)).toEqual(keys);
      expect(claims).toMatchObject({
        iss: ISSUER,
        sub: user.sub,
        aud: 'tpc_client',
        iat: T0,
        exp: T0 + 36_000,
        nonce: 'n-0S6_WzA2Mj',
      });
      expect(decodeProtectedHeader(issued.token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    },
  );

  it('have no nonce when none was sent', async () => {
    const claims = decodeJwt((await issuer().tokens.idToken({ user, clientId: 'c', scope: ['openid'] })).token);
    expect(claims).not.toHaveProperty('nonce');
  });
});

describe('determinism', () => {
  it.each(['auth0', 'rfc9068'] as const)(
    '%s: the same requests at the same clock give the same bytes',
    async (dialect) => {
      const run = async () => {
        const { tokens } = issuer({ dialect });
        return [
          (await tokens.accessToken(userRequest)).token,
          (await tokens.accessToken({ ...userRequest, audience: undefined })).token,
          (await tokens.idToken({ user, clientId: 'tpc_client', scope: ['openid', 'email'], nonce: 'n' })).token,
          (await tokens.accessToken(userRequest)).token,
        ];
      };
      const [first, second] = [await run(), await run()];
      expect(second).toEqual(first);
      expect(new Set(first.slice(0, 3)).size).toBe(3);
      // Auth0's profile has no jti: the same grant in the same second is the same token. RFC 9068's has one.
      expect(first[3] === first[0]).toBe(dialect === 'auth0');
    },
  );

  it('another seed gives other tokens', async () => {
    const a = (await issuer().tokens.accessToken(userRequest)).token;
    const b = (await issuer({ seed: 'another' }).tokens.accessToken(userRequest)).token;
    expect(b).not.toBe(a);
  });
});

describe('verifyAccessToken, for /userinfo', () => {
  it('accepts a JWT whose audience includes userinfo', async () => {
    const { tokens } = issuer();
    const grant = await tokens.verifyAccessToken((await tokens.accessToken(userRequest)).token);
    expect(grant).toMatchObject({
      sub: user.sub,
      scope: ['openid', 'profile', 'offline_access'],
      clientId: 'tpc_client',
    });
  });

  it('accepts the rfc9068 dialect, reading client_id', async () => {
    const { tokens } = issuer({ dialect: 'rfc9068' });
    expect((await tokens.verifyAccessToken((await tokens.accessToken(userRequest)).token)).clientId).toBe('tpc_client');
  });

  it.each([
    [
      'an API-only token',
      async (t: TokenIssuer) => (await t.accessToken({ ...userRequest, scope: ['read:x'] })).token,
      /for this audience/,
    ],
    [
      'an expired token',
      async (t: TokenIssuer) => (await t.accessToken(userRequest, { issuedAt: T0 - 86_401 })).token,
      /must not have expired/,
    ],
    [
      'a token signed by a key not published',
      async (t: TokenIssuer, keys: KeySet) => (await t.accessToken(userRequest, { key: await keys.outsider() })).token,
      /signed by a key this server publishes/,
    ],
    [
      "another issuer's token",
      async () => {
        const { clock } = testClock();
        const other = new TokenIssuer({
          issuer: 'https://other.example.com/',
          keys: new KeySet({ seed: 'dcr-mock' }),
          clock,
          draw: seededDraw('x'),
        });
        return (await other.accessToken(userRequest)).token;
      },
      /issued by this server/,
    ],
    ['an opaque token never issued', async () => 'x'.repeat(32), /one this server issued/],
    ['three parts that are no JWT', async () => 'a.b.c', /a JWT this server issued/],
  ])('refuses %s with 401 invalid_token', async (_, make, why) => {
    const { tokens, keys } = issuer();
    const err = await tokens.verifyAccessToken(await make(tokens, keys)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidToken);
    expect((err as InvalidToken).status).toBe(401);
    expect((err as InvalidToken).description).toMatch(why);
  });

  it('accepts a token signed by a rotated-out key while it stays published', async () => {
    const { tokens, keys } = issuer({ seed: 'rotating-verify' });
    const before = (await tokens.accessToken(userRequest)).token;
    await keys.rotate();
    const after = (await tokens.accessToken(userRequest)).token;
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    await expect(tokens.verifyAccessToken(before)).resolves.toMatchObject({ sub: user.sub });
    await keys.remove(decodeProtectedHeader(before).kid!);
    await expect(tokens.verifyAccessToken(before)).rejects.toThrow(/signed by a key this server publishes/);
  });
});
