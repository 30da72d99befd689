import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { StartupError } from '../../../src/errors.js';
import * as rsa from '../../../src/authorization/rsa.js';
import { KeySet, deriveSigningKey, loadSigningKey } from '../../../src/authorization/keys.js';

// Counts derivations without changing them: laziness and the cache are read from the calls.
vi.mock('../../../src/authorization/rsa.js', async (importOriginal) => {
  const original = await importOriginal<typeof rsa>();
  return { ...original, deriveRsaPrivateJwk: vi.fn(original.deriveRsaPrivateJwk) };
});
const derivations = () =>
  vi.mocked(rsa.deriveRsaPrivateJwk).mock.calls.map(([seed, generation]) => `${seed}#${generation}`);

const big = (b64: string) => BigInt(`0x${Buffer.from(b64, 'base64url').toString('hex')}`);

async function signAndVerify(keys: KeySet): Promise<string | undefined> {
  const key = await keys.current();
  const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);
  // The JWKS as a client gets it: through JSON.
  const jwks = JSON.parse(JSON.stringify(await keys.jwks()));
  return (await jwtVerify(jwt, createLocalJWKSet(jwks))).protectedHeader.kid;
}

describe('the seed-derived key', () => {
  // Golden: a change to the derivation changes every user's JWKS and kid. Update only on purpose.
  it("gives the default seed's kid and modulus, on any machine", async () => {
    const { keys } = await new KeySet({ seed: 'dcr-mock' }).jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', e: 'AQAB' });
    expect(keys[0]!.kid).toBe('G21fiKOIOFc-r256S_b6DNsTzVh5FhVU6aZ0gGGFxuY');
    expect(keys[0]!.n!.slice(0, 32)).toBe('uUulir9gk61QrXNKodWC1Dp3MWbOpN8X');
    expect(Object.keys(keys[0]!)).toEqual(['kty', 'use', 'n', 'e', 'kid', 'alg']);
  });

  it('is a sound RSA-2048 key: n = pq of two 1024-bit primes, e·d ≡ 1 mod λ(n), CRT values to match', () => {
    const jwk = rsa.deriveRsaPrivateJwk('key-math', 0);
    const [n, e, d, p, q, dp, dq, qi] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(
      big,
    ) as bigint[];
    expect(n!.toString(2)).toHaveLength(2048);
    expect(p!.toString(2)).toHaveLength(1024);
    expect(q!.toString(2)).toHaveLength(1024);
    expect(p! * q!).toBe(n);
    expect(e).toBe(65537n);
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
    const lambda = ((p! - 1n) * (q! - 1n)) / gcd(p! - 1n, q! - 1n);
    expect((e! * d!) % lambda).toBe(1n);
    expect(dp).toBe(d! % (p! - 1n));
    expect(dq).toBe(d! % (q! - 1n));
    expect((q! * qi!) % p!).toBe(1n);
  });

  it('depends on the seed and the generation only', () => {
    const a = rsa.deriveRsaPrivateJwk('same', 0);
    expect(rsa.deriveRsaPrivateJwk('same', 0)).toEqual(a);
    expect(rsa.deriveRsaPrivateJwk('same', 1).n).not.toBe(a.n);
    expect(rsa.deriveRsaPrivateJwk('other', 0).n).not.toBe(a.n);
  });

  it('is derived only when first asked for, and once per seed in the process', async () => {
    const before = derivations().length;
    const keys = new KeySet({ seed: 'lazy-seed' });
    const second = new KeySet({ seed: 'lazy-seed' });
    // Derivation starts in a microtask: let every pending one run before looking.
    await new Promise((resolve) => setImmediate(resolve));
    expect(derivations().length).toBe(before);
    const [a, b] = await Promise.all([keys.current(), second.jwks()]);
    expect(derivations().slice(before)).toEqual(['lazy-seed#0']);
    expect(b.keys[0]!.kid).toBe(a.kid);
  });

  it('signs tokens that its own JWKS verifies', async () => {
    const keys = new KeySet({ seed: 'dcr-mock' });
    expect(await signAndVerify(keys)).toBe((await keys.current()).kid);
  });
});

describe('KeySet rotation', () => {
  it('signs with the new key and keeps the old one published until removed', async () => {
    const keys = new KeySet({ seed: 'rotation' });
    const first = await keys.current();
    const second = await keys.rotate();
    expect(second.kid).not.toBe(first.kid);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
    expect(await signAndVerify(keys)).toBe(second.kid);
    expect(await keys.remove(second.kid)).toBe(false);
    expect(await keys.remove('no such kid')).toBe(false);
    expect(await keys.remove(first.kid)).toBe(true);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([second.kid]);
  });

  it('rotates to the same keys on every run, and restores from its entries', async () => {
    const a = new KeySet({ seed: 'rotation-again' });
    const b = new KeySet({ seed: 'rotation-again' });
    await a.rotate();
    await a.rotate();
    await b.rotate();
    expect((await b.rotate()).kid).toBe((await a.current()).kid);
    expect(a.entries()).toEqual([0, 1, 2]);
    const restored = new KeySet({ seed: 'rotation-again', entries: a.entries() });
    expect(await restored.jwks()).toEqual(await a.jwks());
  });

  it('goes back to the keys it started with on reset', async () => {
    const keys = new KeySet({ seed: 'reset' });
    const first = await keys.current();
    await keys.rotate();
    await keys.remove(first.kid);
    keys.reset();
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([first.kid]);
    expect(await signAndVerify(keys)).toBe(first.kid);
    expect(keys.entries()).toEqual([0]);
  });

  it('refuses tokens signed by a key after it is removed, and has an outsider key no JWKS holds', async () => {
    const keys = new KeySet({ seed: 'verifier' });
    const old = await keys.current();
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: old.kid }).sign(old.privateKey);
    await expect(jwtVerify(jwt, await keys.verifier())).resolves.toBeDefined();
    await keys.rotate();
    await keys.remove(old.kid);
    await expect(jwtVerify(jwt, await keys.verifier())).rejects.toThrow(/no applicable key/);
    const outsider = await keys.outsider();
    expect((await keys.jwks()).keys.map((k) => k.kid)).not.toContain(outsider.kid);
  });
});

describe('--signing-key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-keys-'));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = rsaKey.privateKey.export({ format: 'jwk' });

  it.each([
    ['a private JWK', () => write('key.json', JSON.stringify(jwk))],
    ['a PKCS #8 PEM', () => write('key.pem', rsaKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())],
    ['a PKCS #1 PEM', () => write('rsa.pem', rsaKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString())],
  ])('loads %s, whose kid is its thumbprint, and signs with it', async (_, file) => {
    const key = await loadSigningKey(file());
    expect(key.publicJwk.n).toBe(jwk.n);
    const keys = new KeySet({ seed: 'dcr-mock', file: key });
    expect(await signAndVerify(keys)).toBe(key.kid);
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The first rotation derives from the seed; the file's key stays published.
    const rotated = await keys.rotate();
    expect(rotated.source).toEqual({ kind: 'seed', generation: 1 });
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid, key.kid]);
  });

  it("keeps the kid a user's JWK names", async () => {
    expect((await loadSigningKey(write('named.json', JSON.stringify({ ...jwk, kid: 'mine' })))).kid).toBe('mine');
  });

  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  it.each([
    ['a missing file', join(dir, 'absent.json'), /ENOENT/],
    ['bad JSON', write('bad.json', '{"kty":'), /it is not valid JSON/],
    ['a JSON array', write('array.json', '[]'), /it must hold one JWK object/],
    [
      'a public JWK',
      write('public.json', JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e })),
      /must be a private key with "d"/,
    ],
    [
      'an EC JWK',
      write('ec.json', JSON.stringify(ec.export({ format: 'jwk' }))),
      /must be RSA \(kty "RSA"\), got "EC"/,
    ],
    [
      'an EC PEM',
      write('ec.pem', ec.export({ type: 'pkcs8', format: 'pem' }).toString()),
      /could not be read as an RSA key/,
    ],
    ['a 1024-bit key', write('small.json', JSON.stringify(small)), /its modulus has 1024 bits/],
    [
      'a certificate',
      write('cert.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
      /holds no private key/,
    ],
  ])('refuses %s with a message that says what to give', async (_, file, why) => {
    const err = await loadSigningKey(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^Failed to load the signing key \S+: /);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toMatch(/Give a private RSA key of 2048 bits or more/);
  });
});

describe('deriveSigningKey', () => {
  it('gives one promise per (seed, generation), whoever asks', () => {
    expect(deriveSigningKey('shared', 3)).toBe(deriveSigningKey('shared', 3));
  });
});
