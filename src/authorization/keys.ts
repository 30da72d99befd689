import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CryptoKey, JWK, JWTVerifyGetKey } from 'jose';
import { StartupError } from '../errors.js';
import { isObject } from '../is-object.js';
import { loadJose } from '../jose.js';
import { deriveRsaPrivateJwk } from './rsa.js';

export const SIGNING_ALG = 'RS256';

/** Where a key came from: the seed (and which generation of it), the --signing-key file, or outside every JWKS. */
export type KeySource =
  | { readonly kind: 'seed'; readonly generation: number }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'outsider' };

export interface SigningKey {
  /** The RFC 7638 thumbprint, or the `kid` a user's own JWK names. */
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly privateKey: CryptoKey;
  /** As the JWKS shows it: kty, use, n, e, kid, alg. */
  readonly publicJwk: Readonly<JWK>;
  readonly source: KeySource;
}

export interface Jwks {
  keys: JWK[];
}

/** One entry of a key set, as it can be stored: a generation of the seed's key, or the file's key. */
export type KeyEntry = number | 'file';

const MIN_MODULUS_BITS = 2048;

async function signingKey(jwk: JWK, source: KeySource): Promise<SigningKey> {
  const { importJWK, calculateJwkThumbprint } = await loadJose();
  const { kty, n, e, d, p, q, dp, dq, qi } = jwk;
  const privateKey = (await importJWK({ kty, n, e, d, p, q, dp, dq, qi }, SIGNING_ALG)) as CryptoKey;
  const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : await calculateJwkThumbprint({ kty, n, e });
  return { kid, alg: SIGNING_ALG, privateKey, publicJwk: { kty, use: 'sig', n, e, kid, alg: SIGNING_ALG }, source };
}

/** Derived keys by (seed, generation), for the whole process: a second server on the same seed derives nothing. */
const derived = new Map<string, Promise<SigningKey>>();

/**
 * The key of (seed, generation), derived on the first call (tens of milliseconds of CPU) and cached.
 * `'outsider'` is a key of the same seed that no key set ever publishes.
 */
export function deriveSigningKey(seed: string, generation: number | 'outsider' = 0): Promise<SigningKey> {
  const cacheKey = JSON.stringify([seed, generation]);
  let key = derived.get(cacheKey);
  if (!key) {
    const source: KeySource = generation === 'outsider' ? { kind: 'outsider' } : { kind: 'seed', generation };
    key = Promise.resolve().then(() => signingKey(deriveRsaPrivateJwk(seed, generation), source));
    key.catch(() => derived.delete(cacheKey));
    derived.set(cacheKey, key);
  }
  return key;
}

const KEY_TODO = 'Give a private RSA key of 2048 bits or more, as a JWK or a PEM (PKCS #8 or PKCS #1) file';

function keyFileError(file: string, why: string): StartupError {
  return new StartupError(`Failed to load the signing key ${file}: ${why}. ${KEY_TODO}.`, 2);
}

async function jwkFromPem(pem: string, file: string): Promise<JWK> {
  let pkcs8 = pem;
  if (pem.includes('-----BEGIN RSA PRIVATE KEY-----')) {
    try {
      pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
    } catch (err) {
      throw keyFileError(file, `its PKCS #1 key could not be read (${(err as Error).message})`);
    }
  } else if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw keyFileError(file, 'it holds no private key (a PEM file must have a BEGIN PRIVATE KEY block)');
  }
  const { exportJWK, importPKCS8 } = await loadJose();
  try {
    return await exportJWK(await importPKCS8(pkcs8, SIGNING_ALG, { extractable: true }));
  } catch (err) {
    throw keyFileError(file, `its key could not be read as an RSA key (${(err as Error).message})`);
  }
}

/** --signing-key: a private RSA key from a JWK (JSON) or PEM file. Throws a StartupError that names the problem. */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw keyFileError(file, (err as Error).message);
  }
  let jwk: JWK;
  if (/^\s*[[{]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw keyFileError(file, `it is not valid JSON (${(err as Error).message})`);
    }
    if (!isObject(parsed)) throw keyFileError(file, 'it must hold one JWK object');
    jwk = parsed as JWK;
  } else {
    jwk = await jwkFromPem(text, file);
  }
  if (jwk.kty !== 'RSA') throw keyFileError(file, `its key must be RSA (kty "RSA"), got ${JSON.stringify(jwk.kty)}`);
  for (const member of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
    if (typeof jwk[member] !== 'string') {
      throw keyFileError(file, `its JWK must be a private key with "${member}" (a public key cannot sign)`);
    }
  }
  const bits = BigInt(`0x${Buffer.from(jwk.n!, 'base64url').toString('hex') || '0'}`).toString(2).length;
  if (bits < MIN_MODULUS_BITS) throw keyFileError(file, `its modulus has ${bits} bits`);
  try {
    return await signingKey(jwk, { kind: 'file', path: file });
  } catch (err) {
    throw keyFileError(file, `its key could not be imported (${(err as Error).message})`);
  }
}

export interface KeySetOptions {
  readonly seed: string;
  /** The --signing-key key, which signs until the first rotation. */
  readonly file?: SigningKey | undefined;
  /** The entries to restore (from `entries()`), oldest first; the last one signs. Default: the file's key, else generation 0. */
  readonly entries?: readonly KeyEntry[] | undefined;
}

/**
 * The keys the JWKS publishes: the newest signs, the older ones stay until removed. Nothing is
 * derived until a key is asked for. A rotated key is generation n of the seed, so a rotation gives
 * the same key on every run.
 */
export class KeySet {
  readonly #seed: string;
  readonly #file: SigningKey | undefined;
  readonly #initial: readonly KeyEntry[];
  #entries: KeyEntry[];
  #verifier: JWTVerifyGetKey | undefined;
  /** Counts rotations and removals, so a verifier made across one is not kept. */
  #version = 0;

  constructor(options: KeySetOptions) {
    this.#seed = options.seed;
    this.#file = options.file;
    this.#initial = [...(options.entries ?? [options.file ? 'file' : 0])];
    this.#entries = [...this.#initial];
    if (this.#entries.length === 0) throw new Error('a key set needs at least one key');
    if (this.#entries.includes('file') && !this.#file)
      throw new Error('a key set with a file entry needs the file key');
  }

  /** The key that signs. */
  current(): Promise<SigningKey> {
    return this.#key(this.#entries.at(-1)!);
  }

  /** Every key, the one that signs first. */
  async all(): Promise<SigningKey[]> {
    return Promise.all([...this.#entries].reverse().map((entry) => this.#key(entry)));
  }

  /** The public JWK set, as `GET /.well-known/jwks.json` serves it. */
  async jwks(): Promise<Jwks> {
    return { keys: (await this.all()).map((key) => ({ ...key.publicJwk })) };
  }

  /** What to store to restore this set with `new KeySet({ seed, file, entries })`. */
  entries(): readonly KeyEntry[] {
    return [...this.#entries];
  }

  /** A new key that signs from now on; the old ones stay published. */
  rotate(): Promise<SigningKey> {
    const generations = this.#entries.filter((entry) => entry !== 'file');
    this.#entries.push(generations.length === 0 ? 1 : Math.max(...generations) + 1);
    this.#changed();
    return this.current();
  }

  /** Stops publishing an older key. False when no key has that kid, or it is the one that signs. */
  async remove(kid: string): Promise<boolean> {
    const keys = await Promise.all(this.#entries.map((entry) => this.#key(entry)));
    const at = keys.findIndex((key) => key.kid === kid);
    if (at === -1 || at === keys.length - 1) return false;
    this.#entries.splice(at, 1);
    this.#changed();
    return true;
  }

  /** Back to the keys it started with (a reset): what rotations and removals did since is undone. */
  reset(): void {
    this.#entries = [...this.#initial];
    this.#changed();
  }

  /** A key of the same seed that is never published: what a token with a bad signature is signed with. */
  outsider(): Promise<SigningKey> {
    return deriveSigningKey(this.#seed, 'outsider');
  }

  /** jose's key lookup over the published keys, for jwtVerify. */
  async verifier(): Promise<JWTVerifyGetKey> {
    if (!this.#verifier) {
      const version = this.#version;
      const { createLocalJWKSet } = await loadJose();
      const getKey = createLocalJWKSet(await this.jwks());
      if (version === this.#version) this.#verifier = getKey;
      return getKey;
    }
    return this.#verifier;
  }

  #changed(): void {
    this.#version++;
    this.#verifier = undefined;
  }

  #key(entry: KeyEntry): Promise<SigningKey> {
    return entry === 'file' ? Promise.resolve(this.#file!) : deriveSigningKey(this.#seed, entry);
  }
}
