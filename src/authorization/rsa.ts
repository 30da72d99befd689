import { checkPrimeSync, createHash, hkdfSync } from 'node:crypto';

/** An RSA private key as a JWK (RFC 7518 §6.3): every member a base64url big-endian unsigned integer. */
export interface RsaPrivateJwk {
  kty: 'RSA';
  n: string;
  e: string;
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qi: string;
}

const E = 65537n;
const PRIME_BITS = 1024;
/** Odd numbers looked at per sieve pass: the gap to the next prime near 2^1024 averages 355 of them. */
const WINDOW = 2048;
/**
 * Miller-Rabin rounds for a sieve survivor. FIPS 186-5 (table B.1) asks 5 for 1024-bit random
 * candidates at 2^-100; OpenSSL's own default, 64, is meant for numbers an adversary chose and would
 * cost as much as every composite tested before the prime. Stated here so no library default decides.
 */
const ROUNDS = 16;

/** Odd primes below 2^16, and groups of them whose product stays a safe integer (one BigInt remainder per group). */
interface SmallPrimes {
  readonly primes: Uint32Array;
  readonly groups: ReadonlyArray<readonly [bigint, number, number]>;
}

/** Built on the first derivation, not on import: a start that signs nothing skips its ~9 ms (bench/NOTES.md). */
let smallPrimes: SmallPrimes | undefined;

function buildSmallPrimes(): SmallPrimes {
  const limit = 1 << 16;
  const composite = new Uint8Array(limit);
  const primes: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  const groups: Array<[bigint, number, number]> = [];
  for (let i = 0; i < primes.length; ) {
    const from = i;
    let product = 1;
    while (i < primes.length && product * primes[i]! <= Number.MAX_SAFE_INTEGER) product *= primes[i++]!;
    groups.push([BigInt(product), from, i]);
  }
  return { primes: Uint32Array.from(primes), groups };
}

/**
 * The first prime p ≥ start (start odd) with p ≢ 1 (mod e), found by sieving windows of odd numbers by
 * every prime below 2^16 (which leaves ~10% of them) and testing the survivors with OpenSSL.
 */
function nextPrime(start: bigint): bigint {
  smallPrimes ??= buildSmallPrimes();
  const { primes, groups } = smallPrimes;
  // step[i]: the first offset k at which start + 2k is a multiple of primes[i].
  const step = new Uint32Array(primes.length);
  for (const [product, from, to] of groups) {
    const rest = Number(start % product);
    for (let i = from; i < to; i++) {
      const p = primes[i]!;
      step[i] = (((p - (rest % p)) % p) * ((p + 1) / 2)) % p;
    }
  }
  const sieve = new Uint8Array(WINDOW);
  for (let base = 0; ; base += WINDOW) {
    sieve.fill(0);
    for (let i = 0; i < primes.length; i++) {
      const p = primes[i]!;
      let k = step[i]!;
      for (; k < WINDOW; k += p) sieve[k] = 1;
      step[i] = k - WINDOW;
    }
    for (let k = 0; k < WINDOW; k++) {
      if (sieve[k]) continue;
      const candidate = start + 2n * BigInt(base + k);
      if (candidate % E !== 1n && checkPrimeSync(candidate, { checks: ROUNDS })) return candidate;
    }
  }
}

/**
 * A 1024-bit prime from HKDF-SHA256 of `secret` with the info `label:attempt`: a start with its top two
 * bits set, so that the product of two primes is exactly 2048 bits, and its low bit, then the next prime.
 * A prime past 1024 bits (a start within a gap of the top) draws another start.
 */
function derivePrime(secret: Buffer, label: string): bigint {
  for (let attempt = 0; ; attempt++) {
    const bytes = Buffer.from(hkdfSync('sha256', secret, '', `${label}:${attempt}`, PRIME_BITS / 8));
    bytes[0]! |= 0xc0;
    bytes[bytes.length - 1]! |= 0x01;
    const prime = nextPrime(BigInt(`0x${bytes.toString('hex')}`));
    if (prime < 1n << BigInt(PRIME_BITS)) return prime;
  }
}

/** a⁻¹ mod m by the extended Euclidean algorithm; a and m coprime. */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function base64url(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
}

/**
 * An RSA-2048 private key that depends only on (seed, generation): the same on any machine and any
 * Node version, since every step is HKDF-SHA256, integer arithmetic and a primality test whose answer
 * for a prime never varies. d is e⁻¹ mod λ(n), as OpenSSL computes it.
 */
export function deriveRsaPrivateJwk(seed: string, generation: number | string): RsaPrivateJwk {
  const secret = createHash('sha256').update(`dcr-mock:${seed}:rsa-2048:${generation}`).digest();
  let p = derivePrime(secret, 'p');
  let q = derivePrime(secret, 'q');
  if (p === q) throw new Error('the two derived primes are equal'); // 2^-1000 odds: a broken stream, not bad luck
  if (p < q) [p, q] = [q, p];
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  const d = inverse(E, lambda);
  return {
    kty: 'RSA',
    n: base64url(p * q),
    e: base64url(E),
    d: base64url(d),
    p: base64url(p),
    q: base64url(q),
    dp: base64url(d % (p - 1n)),
    dq: base64url(d % (q - 1n)),
    qi: base64url(inverse(q, p)),
  };
}
