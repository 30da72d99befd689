import { type KeyObject, constants, generateKeyPairSync, sign } from 'node:crypto';

export type Alg = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

/** A fresh key pair for an algorithm. */
export function keyPair(alg: Alg): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
  }
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
  const hash = alg === 'EdDSA' ? null : alg === 'ES384' ? 'sha384' : 'sha256';
  const signature = sign(
    hash,
    Buffer.from(input),
    alg.startsWith('ES')
      ? { key, dsaEncoding: 'ieee-p1363' }
      : alg === 'PS256'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : key,
  );
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned JWT (alg none). */
export const unsignedJwt = (claims: Record<string, unknown>) => `${b64({ alg: 'none' })}.${b64(claims)}.`;
