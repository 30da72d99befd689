import { InvalidClientMetadata, InvalidRedirectUri } from '../errors.js';
import {
  type ClientMetadata,
  FIELD_RULES,
  type FieldRule,
  OIDC_REDIRECT_URI_RULES,
  REDIRECT_URI_RULES,
} from './metadata.js';
import { isObject } from '../is-object.js';
import { applySoftwareStatement } from './software-statement.js';
import type { VerificationKeys } from './statement-keys.js';

export interface ValidationOptions {
  /** Also apply OpenID Connect Registration 1.0's rules (application_type and redirect URI schemes). */
  readonly oidcRules?: boolean;
}

/**
 * The scheme of an absolute URI, lowercased and with its colon as URL#protocol has it ("https:"), or
 * undefined. The URL parser accepts "foo:bar"; an absolute URI needs a scheme and something after it.
 * canParse, not parse: no URL object is built for the URIs of every registration.
 */
const absoluteUriScheme = (v: string): string | undefined => {
  const scheme = /^([a-z][a-z0-9+.-]*:)./i.exec(v)?.[1];
  return scheme !== undefined && URL.canParse(v) ? scheme.toLowerCase() : undefined;
};

/**
 * Checks a parsed request body against the metadata tables and returns only the known fields.
 * Unknown fields are ignored (RFC 7591 §2); a null value counts as absent.
 */
export function validateClientMetadata(body: unknown, options: ValidationOptions = {}): ClientMetadata {
  if (!isObject(body)) throw new InvalidClientMetadata('request body must be a JSON object');
  const metadata = { redirect_uris: validateRedirectUris(body['redirect_uris']) } as ClientMetadata;
  for (const rule of FIELD_RULES) {
    const value = Object.hasOwn(body, rule.field) ? body[rule.field] : undefined;
    if (value === undefined || value === null) continue;
    (metadata as unknown as Record<string, unknown>)[rule.field] = checkField(rule, value);
  }
  if (options.oidcRules) checkOidcRedirectUris(metadata);
  return metadata;
}

function checkOidcRedirectUris(metadata: ClientMetadata): void {
  const type = metadata.application_type ?? 'web';
  const rules = OIDC_REDIRECT_URI_RULES.filter((r) => r.applicationType === type && (r.when?.(metadata) ?? true));
  metadata.redirect_uris.forEach((raw, i) => {
    const uri = new URL(raw);
    for (const rule of rules) {
      if (rule.breaks(uri)) throw new InvalidRedirectUri(`redirect_uris[${i}] must ${rule.must}`);
    }
  });
}

function checkField(rule: FieldRule, value: unknown): unknown {
  const { field } = rule;
  switch (rule.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      throw new InvalidClientMetadata(`${field} must be a string`);
    case 'uri':
      if (typeof value === 'string' && /^https?:$/.test(absoluteUriScheme(value) ?? '')) return value;
      throw new InvalidClientMetadata(`${field} must be an absolute http(s) URI`);
    case 'string-list':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
      throw new InvalidClientMetadata(`${field} must be an array of strings`);
    case 'enum':
      if (typeof value === 'string' && rule.values?.includes(value)) return value;
      throw new InvalidClientMetadata(`${field} must be one of ${rule.values?.join(', ')}`);
  }
}

function validateRedirectUris(value: unknown): string[] {
  if (value === undefined || value === null) throw new InvalidRedirectUri('redirect_uris must be given');
  if (!Array.isArray(value)) throw new InvalidRedirectUri('redirect_uris must be an array of URIs');
  if (value.length === 0) throw new InvalidRedirectUri('redirect_uris must hold at least one URI');
  return value.map((raw: unknown, i) => {
    const name = `redirect_uris[${i}]`;
    if (typeof raw !== 'string') throw new InvalidRedirectUri(`${name} must be a string`);
    const scheme = absoluteUriScheme(raw);
    if (scheme === undefined)
      throw new InvalidRedirectUri(`${name} must be an absolute URI, got ${JSON.stringify(raw.slice(0, 200))}`);
    for (const rule of REDIRECT_URI_RULES) {
      if (rule.breaks(scheme, raw)) throw new InvalidRedirectUri(`${name} must ${rule.must}`);
    }
    return raw;
  });
}

/**
 * The body with its software statement's claims applied (RFC 7591 §2.3), once the statement verifies:
 * the body itself, at once, when it carries none.
 */
export function withStatement(
  body: unknown,
  keys: VerificationKeys | undefined,
  clock: () => Date,
): unknown | Promise<unknown> {
  const jwt = isObject(body) ? body['software_statement'] : undefined;
  return jwt === undefined || jwt === null ? body : applySoftwareStatement(body, keys, clock());
}
