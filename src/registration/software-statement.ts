import { type JsonWebKey, type KeyObject, constants, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidSoftwareStatement, UnapprovedSoftwareStatement, usageError } from '../errors.js';
import { FIELD_RULES } from './metadata.js';
import { isObject } from '../is-object.js';

/** A public key that may sign software statements, with the `kid` and `alg` its JWK named, if any. */
export interface VerificationKey {
  readonly key: KeyObject;
  readonly kid?: string | undefined;
  readonly alg?: string | undefined;
}

interface Algorithm {
  readonly hash: string | null;
  /** Key types (KeyObject.asymmetricKeyType) that may verify it. */
  readonly keyTypes: readonly string[];
  /** For ECDSA: the curve the key must be on. */
  readonly curve?: string;
  readonly pss?: boolean;
}

/** The JWS algorithms a software statement may be signed with (RFC 7518 §3, RFC 8037). */
const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  RS256: { hash: 'sha256', keyTypes: ['rsa'] },
  RS384: { hash: 'sha384', keyTypes: ['rsa'] },
  RS512: { hash: 'sha512', keyTypes: ['rsa'] },
  PS256: { hash: 'sha256', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  PS384: { hash: 'sha384', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  PS512: { hash: 'sha512', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  ES256: { hash: 'sha256', keyTypes: ['ec'], curve: 'prime256v1' },
  ES384: { hash: 'sha384', keyTypes: ['ec'], curve: 'secp384r1' },
  ES512: { hash: 'sha512', keyTypes: ['ec'], curve: 'secp521r1' },
  EdDSA: { hash: null, keyTypes: ['ed25519', 'ed448'] },
};

export const SUPPORTED_ALGORITHMS = Object.keys(ALGORITHMS);

/** A decoded compact JWS. */
export interface SoftwareStatement {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const NOT_A_JWT =
  'software_statement must be a JWT: three base64url parts, a JSON header with "alg", a JSON object of claims, a signature';

/** Decodes a software statement (RFC 7591 §2.3) without trusting it. Anything but a compact JWS is refused. */
export function decodeSoftwareStatement(jwt: string): SoftwareStatement {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts.every((p, i) => /^[A-Za-z0-9_-]*$/.test(p) && (i === 2 || p.length > 0))) {
    throw new InvalidSoftwareStatement(NOT_A_JWT);
  }
  const [header, claims] = [parts[0]!, parts[1]!].map((part) => {
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  });
  if (!isObject(header) || typeof header['alg'] !== 'string' || !isObject(claims))
    throw new InvalidSoftwareStatement(NOT_A_JWT);
  return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
}

/**
 * Checks the signature against the configured keys (a key whose `kid` or `alg` differs from the
 * header's is not tried), then `exp` and `nbf` against the clock.
 */
export function verifySoftwareStatement(
  statement: SoftwareStatement,
  keys: readonly VerificationKey[],
  now: Date,
): void {
  const alg = String(statement.header['alg']);
  const spec = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
  if (!spec) {
    throw new UnapprovedSoftwareStatement(
      `software_statement must be signed with one of ${SUPPORTED_ALGORITHMS.join(', ')}, not ${alg}`,
    );
  }
  const kid = statement.header['kid'];
  const candidates = keys.filter(
    (k) =>
      (kid === undefined || k.kid === undefined || k.kid === kid) &&
      (k.alg === undefined || k.alg === alg) &&
      spec.keyTypes.includes(k.key.asymmetricKeyType ?? '') &&
      (spec.curve === undefined || k.key.asymmetricKeyDetails?.namedCurve === spec.curve),
  );
  const data = Buffer.from(statement.signingInput);
  const verified = candidates.some((k) => {
    const key = spec.pss
      ? { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : spec.curve
        ? { key: k.key, dsaEncoding: 'ieee-p1363' as const }
        : k.key;
    try {
      return verify(spec.hash, data, key, statement.signature);
    } catch {
      return false;
    }
  });
  if (!verified) {
    throw new UnapprovedSoftwareStatement(
      candidates.length === 0
        ? `software_statement must be signed by the software statement key (no ${alg} key${kid === undefined ? '' : ` with kid ${JSON.stringify(kid)}`} is configured)`
        : 'software_statement signature must verify with the software statement key',
    );
  }
  const seconds = now.getTime() / 1000;
  const { exp, nbf } = statement.claims;
  if (typeof exp === 'number' && seconds >= exp)
    throw new UnapprovedSoftwareStatement('software_statement has expired (exp)');
  if (typeof nbf === 'number' && seconds < nbf)
    throw new UnapprovedSoftwareStatement('software_statement is not valid yet (nbf)');
}

/** The metadata a statement's claims may set: every known field but the statement itself. */
const CLAIMABLE = ['redirect_uris', ...FIELD_RULES.map((r) => r.field).filter((f) => f !== 'software_statement')];

/**
 * RFC 7591 §2.3: a software statement's claims win over the same metadata sent in the clear.
 * Without keys the statement is decoded and trusted; with keys it must verify. Returns the body to
 * validate, the statement itself kept so that it can be echoed unmodified.
 */
export function applySoftwareStatement(
  body: unknown,
  keys: readonly VerificationKey[] | undefined,
  now: Date,
): unknown {
  if (!isObject(body)) return body;
  const jwt = body['software_statement'];
  if (jwt === undefined || jwt === null) return body;
  if (typeof jwt !== 'string') throw new InvalidSoftwareStatement(NOT_A_JWT);
  const statement = decodeSoftwareStatement(jwt);
  if (keys) verifySoftwareStatement(statement, keys, now);
  const merged: Record<string, unknown> = { ...body };
  for (const field of CLAIMABLE) {
    if (Object.hasOwn(statement.claims, field)) merged[field] = statement.claims[field];
  }
  return merged;
}

/**
 * Reads the keys of --software-statement-key: a file path, PEM text, a JWK or a JWK set (as an
 * object, or as the JSON text of a file). Private keys are accepted; only their public half is kept.
 */
export function loadVerificationKeys(input: unknown): readonly VerificationKey[] {
  let source = input;
  let where = 'the value';
  if (typeof input === 'string' && !input.trimStart().startsWith('-----BEGIN') && !input.trimStart().startsWith('{')) {
    where = resolve(input);
    try {
      source = readFileSync(where, 'utf8');
    } catch (err) {
      throw keyError(`cannot read ${where} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  if (typeof source === 'string' && source.trimStart().startsWith('{')) {
    try {
      source = JSON.parse(source);
    } catch {
      throw keyError(`${where} is not valid JSON`);
    }
  }
  try {
    if (typeof source === 'string') return Object.freeze([{ key: createPublicKey(source) }]);
    if (isObject(source) && Array.isArray(source['keys'])) {
      const keys = source['keys'].map((jwk) => fromJwk(jwk));
      if (keys.length === 0) throw new Error('the JWK set holds no key');
      return Object.freeze(keys);
    }
    if (isObject(source)) return Object.freeze([fromJwk(source)]);
  } catch (err) {
    throw keyError(`${where} must hold a public key (PEM, JWK or JWK set): ${(err as Error).message}`);
  }
  throw keyError(`must be a file path, PEM text, a JWK or a JWK set, got ${typeof source}`);
}

function fromJwk(jwk: unknown): VerificationKey {
  if (!isObject(jwk) || typeof jwk['kty'] !== 'string') throw new Error('a JWK must be an object with "kty"');
  if (jwk['kty'] === 'oct') throw new Error('a symmetric (oct) key cannot verify a public signature');
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const kid = typeof jwk['kid'] === 'string' ? jwk['kid'] : undefined;
  const alg = typeof jwk['alg'] === 'string' ? jwk['alg'] : undefined;
  return { key, kid, alg };
}

const keyError = (why: string) => usageError(`--software-statement-key ${why}`);
