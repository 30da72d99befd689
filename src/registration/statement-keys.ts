import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CryptoKey, JWK, JWSHeaderParameters, LocalJWKSet } from 'jose';
import { usageError } from '../errors.js';
import { isObject } from '../is-object.js';
import { type Jose, loadJose } from '../jose.js';

/**
 * --software-statement-key as given, checked for shape only: PEM text, or JWKs (`set` when they came
 * as a JWK set). jose imports them when the server starts, because its imports are asynchronous.
 */
export type KeySource =
  | { readonly where: string; readonly pem: string }
  | { readonly where: string; readonly jwks: readonly JWK[]; readonly set: boolean };

/** The public keys that may sign software statements, imported by jose. */
export interface VerificationKeys {
  /**
   * The keys that may have signed a statement with this header: those jose's local JWK set picks
   * (same `alg` if the JWK names one, the key type and curve of the `alg`, the header's `kid`) and,
   * when the header names a `kid`, also the keys that name none.
   */
  candidates(header: JWSHeaderParameters): Promise<CryptoKey[]>;
}

const WHAT = 'must hold a public key (PEM, JWK or JWK set)';

/**
 * Reads --software-statement-key: a file path, PEM text, a JWK or a JWK set (as an object, or as the
 * JSON text of a file). What cannot be a key at all is refused here, while the options are read.
 */
export function readVerificationKeys(input: unknown): KeySource {
  let source = input;
  let where = 'the value';
  if (typeof input === 'string' && !/^\s*(-----BEGIN|\{)/.test(input)) {
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
    if (typeof source === 'string') {
      if (!source.includes('-----BEGIN ')) throw new Error('it holds neither PEM nor JSON');
      return { where, pem: source };
    }
    if (isObject(source) && Array.isArray(source['keys'])) {
      const jwks = source['keys'].map(checkJwk);
      if (jwks.length === 0) throw new Error('the JWK set holds no key');
      return { where, jwks, set: true };
    }
    if (isObject(source)) return { where, jwks: [checkJwk(source)], set: false };
  } catch (err) {
    throw keyError(`${where} ${WHAT}: ${(err as Error).message}`);
  }
  throw keyError(`must be a file path, PEM text, a JWK or a JWK set, got ${typeof source}`);
}

function checkJwk(jwk: unknown): JWK {
  if (!isObject(jwk) || typeof jwk['kty'] !== 'string') throw new Error('a JWK must be an object with "kty"');
  if (jwk['kty'] === 'oct') throw new Error('a symmetric (oct) key cannot verify a public signature');
  return jwk as JWK;
}

/**
 * Imports the keys with jose, keeping only their public half (private keys are accepted). In a JWK
 * set, a key jose cannot verify with (an encryption key, a short RSA key) is left out; a single such
 * key, a set of nothing else, or a key that is malformed is refused.
 */
export async function loadVerificationKeys(source: KeySource): Promise<VerificationKeys> {
  const jose = await loadJose();
  const imported = await Promise.allSettled(
    'pem' in source ? [fromPem(source.pem, jose)] : source.jwks.map((jwk) => fromJwk(jwk, jose)),
  );
  const keys = imported.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  // In a set, keys that verify nothing may sit beside those that do; alone, they are a mistake.
  const leftOut = (reason: unknown) => 'jwks' in source && source.set && keys.length > 0 && reason instanceof Unusable;
  const failure = imported.find((r) => r.status === 'rejected' && !leftOut(r.reason));
  if (failure?.status === 'rejected') throw keyError(`${source.where} ${WHAT}: ${(failure.reason as Error).message}`);
  const all = jose.createLocalJWKSet({ keys });
  const unnamed = keys.filter((k) => k.kid === undefined);
  const withoutKid = unnamed.length > 0 ? jose.createLocalJWKSet({ keys: unnamed }) : undefined;
  return {
    async candidates(header) {
      const { kid, ...anyKid } = header;
      return [
        ...(await picked(all, header, jose.errors)),
        ...(kid !== undefined && withoutKid ? await picked(withoutKid, anyKid, jose.errors) : []),
      ];
    },
  };
}

/** A well-formed key that jose cannot verify a software statement with. */
class Unusable extends Error {}

async function picked(set: LocalJWKSet, header: JWSHeaderParameters, errors: Jose['errors']): Promise<CryptoKey[]> {
  try {
    return [await set(header)];
  } catch (err) {
    if (err instanceof errors.JWKSNoMatchingKey) return [];
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    const keys: CryptoKey[] = [];
    for await (const key of err) keys.push(key);
    return keys;
  }
}

/** The members that make up each key type's public key (RFC 7518 §6, RFC 8037). */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};

/** jose binds a key to an algorithm when it imports it: one per key type and curve, to check the key with. */
const IMPORT_ALG: Readonly<Record<string, string>> = {
  RSA: 'RS256',
  'EC P-256': 'ES256',
  'EC P-384': 'ES384',
  'EC P-521': 'ES512',
  'OKP Ed25519': 'EdDSA',
};

const USABLE = 'it must be an RSA key (2048 bits or more), an EC key on P-256, P-384 or P-521, or an Ed25519 key';

/** A JWK as the set keeps it: its public members, `kid` and `alg`; `use`, `key_ops` and private members dropped. */
async function fromJwk(jwk: JWK, jose: Jose): Promise<JWK> {
  const kty = String(jwk.kty);
  const kind = kty === 'RSA' ? kty : `${kty} ${jwk.crv}`;
  const alg = Object.hasOwn(IMPORT_ALG, kind) ? IMPORT_ALG[kind] : undefined;
  if (!alg) throw new Unusable(`key type ${kind} cannot verify a software statement: ${USABLE}`);
  const members = jwk as Record<string, unknown>;
  const key: Record<string, unknown> = { kty };
  for (const member of PUBLIC_MEMBERS[kty] ?? []) if (members[member] !== undefined) key[member] = members[member];
  let imported: CryptoKey | Uint8Array;
  try {
    imported = await jose.importJWK(key, alg);
  } catch (err) {
    throw new Error(`the ${kind} JWK is malformed (${(err as Error).message})`);
  }
  checkStrength(imported);
  if (typeof jwk.kid === 'string') key['kid'] = jwk.kid;
  if (typeof jwk.alg === 'string') key['alg'] = jwk.alg;
  return key;
}

/** PEM as jose reads it: a public key, a certificate, a PKCS #8 private key. */
const PEM_IMPORTS: Readonly<Record<string, 'importSPKI' | 'importX509' | 'importPKCS8'>> = {
  'PUBLIC KEY': 'importSPKI',
  CERTIFICATE: 'importX509',
  'PRIVATE KEY': 'importPKCS8',
};

/** Older PEM encodings (PKCS #1, SEC 1), which jose does not read: node:crypto turns them into SPKI first. */
const LEGACY_PEM = new Set(['RSA PUBLIC KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/** The first PEM block of the text, imported by jose. */
async function fromPem(text: string, jose: Jose): Promise<JWK> {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----[^-]*-----END \1-----/.exec(text);
  let pem = block?.[0] ?? '';
  let label = block?.[1] ?? '';
  if (LEGACY_PEM.has(label)) {
    pem = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
    label = 'PUBLIC KEY';
  }
  const importer = Object.hasOwn(PEM_IMPORTS, label) ? PEM_IMPORTS[label] : undefined;
  if (!importer) {
    throw new Error(
      `PEM must be a PUBLIC KEY, a CERTIFICATE or a PRIVATE KEY, not ${block ? label : 'a broken block'} (openssl pkey -pubout converts a key)`,
    );
  }
  // A PEM does not say which algorithm its key is for, and jose imports a key for one: each is tried.
  for (const alg of new Set(Object.values(IMPORT_ALG))) {
    const key = await jose[importer](pem, alg, { extractable: true }).catch(() => undefined);
    if (key) return fromJwk(await jose.exportJWK(key), jose);
  }
  throw new Error(`the ${label} cannot be read as a key jose verifies with: ${USABLE}`);
}

/** jose refuses RSA keys shorter than 2048 bits when it verifies; refuse them at start instead. */
function checkStrength(key: CryptoKey | Uint8Array): void {
  const bits = 'algorithm' in key ? (key.algorithm as { modulusLength?: number }).modulusLength : undefined;
  if (bits !== undefined && bits < 2048) throw new Unusable(`RSA keys must be 2048 bits or more, this one has ${bits}`);
}

const keyError = (why: string) => usageError(`--software-statement-key ${why}`);
