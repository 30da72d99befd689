import { type KeyObject, constants, generateKeyPairSync, sign } from 'node:crypto';

/** Every algorithm dcr-mock verifies. The signer below is node:crypto's, independent of the verifier (jose). */
export const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type Alg = (typeof ALGS)[number];

const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** A fresh key pair for an algorithm. */
export function keyPair(alg: Alg): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  if (alg.startsWith('ES')) return generateKeyPairSync('ec', { namedCurve: CURVES[alg]! });
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed the way RFC 7515/7518 say. */
export function signJwt(
  claims: Record<string, unknown>,
  alg: Alg,
  key: KeyObject,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const signature = sign(
    hash,
    Buffer.from(input),
    alg.startsWith('ES')
      ? { key, dsaEncoding: 'ieee-p1363' }
      : alg.startsWith('PS')
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : key,
  );
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned JWT (alg none). */
export const unsignedJwt = (claims: Record<string, unknown>) => `${b64({ alg: 'none' })}.${b64(claims)}.`;
