import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { InvalidSoftwareStatement, UnapprovedSoftwareStatement } from '../errors.js';
import { isObject } from '../is-object.js';
import { type Jose, loadJose } from '../jose.js';
import { FIELD_RULES } from './metadata.js';
import type { VerificationKeys } from './statement-keys.js';

/** The JWS algorithms a software statement may be signed with (RFC 7518 §3, RFC 8037). */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** A compact JWS, decoded but not trusted. */
export interface SoftwareStatement {
  readonly jwt: string;
  readonly header: ProtectedHeaderParameters & { readonly alg: string };
  readonly claims: JWTPayload;
}

/** Three base64url parts, the signature alone possibly empty. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const NOT_A_JWT =
  'software_statement must be a JWT: three base64url parts, a JSON header with "alg", a JSON object of claims, a signature';

/** Decodes a software statement (RFC 7591 §2.3) without trusting it. Anything but a compact JWS is refused. */
export function decodeSoftwareStatement(jwt: string, jose: Jose): SoftwareStatement {
  if (!COMPACT_JWS.test(jwt)) throw new InvalidSoftwareStatement(NOT_A_JWT);
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = jose.decodeProtectedHeader(jwt);
    claims = jose.decodeJwt(jwt);
  } catch {
    throw new InvalidSoftwareStatement(NOT_A_JWT);
  }
  const { alg } = header;
  if (typeof alg !== 'string') throw new InvalidSoftwareStatement(NOT_A_JWT);
  return { jwt, header: { ...header, alg }, claims };
}

/**
 * Checks the signature with jose against the configured keys (a key whose `kid` or `alg` differs from
 * the header's is not tried), then `exp` and `nbf` against the clock.
 */
export async function verifySoftwareStatement(
  statement: SoftwareStatement,
  keys: VerificationKeys,
  now: Date,
): Promise<void> {
  const jose = await loadJose();
  const { alg, kid } = statement.header;
  if (!isSupported(alg)) {
    throw new UnapprovedSoftwareStatement(
      `software_statement must be signed with one of ${SUPPORTED_ALGORITHMS.join(', ')}, not ${alg}`,
    );
  }
  const candidates = await keys.candidates(statement.header);
  for (const key of candidates) {
    try {
      await jose.jwtVerify(statement.jwt, key, { algorithms: [alg], currentDate: now });
      return;
    } catch (err) {
      if (err instanceof jose.errors.JWSSignatureVerificationFailed) continue;
      throw refusal(err, jose.errors);
    }
  }
  throw new UnapprovedSoftwareStatement(
    candidates.length === 0
      ? `software_statement must be signed by the software statement key (no ${alg} key${kid === undefined ? '' : ` with kid ${JSON.stringify(kid)}`} is configured)`
      : 'software_statement signature must verify with the software statement key',
  );
}

const isSupported = (alg: string): alg is Algorithm => (SUPPORTED_ALGORITHMS as readonly string[]).includes(alg);

/** What jose refused once the signature verified: a time claim, or a header it must understand (`crit`). */
function refusal(err: unknown, errors: Jose['errors']): unknown {
  if (err instanceof errors.JWTExpired) return new UnapprovedSoftwareStatement('software_statement has expired (exp)');
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf' && err.reason === 'check_failed') {
    return new UnapprovedSoftwareStatement('software_statement is not valid yet (nbf)');
  }
  if (err instanceof errors.JWTClaimValidationFailed && err.reason === 'invalid') {
    return new InvalidSoftwareStatement(
      `software_statement ${err.claim} must be a number of seconds since 1970 (RFC 7519 NumericDate)`,
    );
  }
  if (err instanceof errors.JOSEError) {
    return new InvalidSoftwareStatement(`software_statement must be a JWS dcr-mock can verify: ${err.message}`);
  }
  return err;
}

/** The metadata a statement's claims may set: every known field but the statement itself. */
const CLAIMABLE = ['redirect_uris', ...FIELD_RULES.map((r) => r.field).filter((f) => f !== 'software_statement')];

/**
 * RFC 7591 §2.3: a software statement's claims win over the same metadata sent in the clear.
 * Without keys the statement is decoded and trusted; with keys it must verify. Returns the body to
 * validate, the statement itself kept so that it can be echoed unmodified.
 */
export async function applySoftwareStatement(
  body: unknown,
  keys: VerificationKeys | undefined,
  now: Date,
): Promise<unknown> {
  if (!isObject(body)) return body;
  const jwt = body['software_statement'];
  if (jwt === undefined || jwt === null) return body;
  if (typeof jwt !== 'string') throw new InvalidSoftwareStatement(NOT_A_JWT);
  const statement = decodeSoftwareStatement(jwt, await loadJose());
  if (keys) await verifySoftwareStatement(statement, keys, now);
  const merged: Record<string, unknown> = { ...body };
  for (const field of CLAIMABLE) {
    if (Object.hasOwn(statement.claims, field)) merged[field] = statement.claims[field];
  }
  return merged;
}
