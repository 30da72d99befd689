import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OAuthError, StartupError } from '../errors.js';
import { show } from '../show.js';
import { isObject } from '../is-object.js';
import type { ClientRecord } from '../store/shape.js';
import type { CredentialFactory } from './credentials.js';
import type { ClientMetadata } from './metadata.js';
import { type ProfileSpec, clientResponse } from './profiles.js';
import { validateClientMetadata } from './validate.js';

/**
 * A client to preload: the metadata a registration would send, plus the credentials it keeps.
 * Fields dcr-mock does not know are ignored, as in a registration.
 */
export interface FixtureClient extends ClientMetadata {
  /** Kept as given; a client with this id already in the store is left as it is. */
  client_id: string;
  /** Required unless `token_endpoint_auth_method` is `none`; absent then. */
  client_secret?: string;
  [field: string]: unknown;
}

/** A fixture that passed the registration rules. */
export interface Fixture {
  readonly metadata: ClientMetadata;
  readonly client_id: string;
  readonly client_secret: string | undefined;
}

interface CredentialRule {
  readonly field: 'client_id' | 'client_secret';
  readonly breaks: (entry: Record<string, unknown>, metadata: ClientMetadata) => boolean;
  /** Completes "fixtures[i].<field> must …". */
  readonly must: string;
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isPublic = (metadata: ClientMetadata) => metadata.token_endpoint_auth_method === 'none';

/** What a fixture must declare beyond a registration's metadata, one row per rule. */
const CREDENTIAL_RULES: readonly CredentialRule[] = [
  { field: 'client_id', breaks: (e) => !isNonEmptyString(e['client_id']), must: 'be a non-empty string' },
  {
    field: 'client_secret',
    breaks: (e, m) => !isPublic(m) && !isNonEmptyString(e['client_secret']),
    must: 'be a non-empty string, unless token_endpoint_auth_method is none',
  },
  {
    field: 'client_secret',
    breaks: (e, m) => isPublic(m) && e['client_secret'] !== undefined && e['client_secret'] !== null,
    must: 'be absent when token_endpoint_auth_method is none (a public client has no secret)',
  },
];

/**
 * Loads fixtures from a file path (relative to the working directory), or from what such a file holds:
 * an array of clients, or an object with a `clients` array (so a db.json works too).
 * Throws a StartupError (exit 2) that names the first bad entry, e.g. `fixtures[2].redirect_uris[0] must …`.
 */
export function loadFixtures(source: unknown): Fixture[] {
  if (typeof source === 'string' && source !== '') {
    const from = ` from ${resolve(source)}`;
    return toFixtures(unwrap(readJson(resolve(source)), from), from);
  }
  return toFixtures(unwrap(source, ''), '');
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw failure(` from ${file}`, (err as Error).message, 'Check the --fixtures path');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw failure(` from ${file}`, `it is not valid JSON (${(err as Error).message})`, 'Fix the JSON');
  }
}

function unwrap(parsed: unknown, from: string): unknown[] {
  if (Array.isArray(parsed)) return parsed;
  if (isObject(parsed) && Array.isArray(parsed['clients'])) return parsed['clients'];
  const why = from
    ? 'it must hold an array of clients or an object such as {"clients": [...]}'
    : `fixtures must be a file path, an array of clients or {"clients": [...]}, got ${show(parsed).slice(0, 80)}`;
  throw failure(from, why, "See the README's Fixtures section");
}

function toFixtures(entries: readonly unknown[], from: string): Fixture[] {
  const seen = new Map<string, number>();
  return entries.map((entry, i) => {
    const name = `fixtures[${i}]`;
    const fix = 'Fix that client or remove it';
    if (!isObject(entry)) throw failure(from, `${name} must be an object with client_id and redirect_uris`, fix);
    let metadata: ClientMetadata;
    try {
      metadata = validateClientMetadata(entry);
    } catch (err) {
      if (err instanceof OAuthError) throw failure(from, `${name}.${err.description}`, fix);
      throw err;
    }
    for (const rule of CREDENTIAL_RULES) {
      if (rule.breaks(entry, metadata)) throw failure(from, `${name}.${rule.field} must ${rule.must}`, fix);
    }
    const clientId = entry['client_id'] as string;
    const first = seen.get(clientId);
    if (first !== undefined) {
      throw failure(
        from,
        `${name}.client_id must be unique, but fixtures[${first}] has ${JSON.stringify(clientId)} too`,
        fix,
      );
    }
    seen.set(clientId, i);
    const secret = entry['client_secret'];
    return Object.freeze({
      metadata,
      client_id: clientId,
      client_secret: isNonEmptyString(secret) ? secret : undefined,
    });
  });
}

function failure(from: string, why: string, todo: string): StartupError {
  return new StartupError(`Failed to load the fixtures${from}: ${why}. ${todo}.`, 2);
}

export interface FixtureShaping {
  readonly profile: ProfileSpec;
  readonly credentials: CredentialFactory;
  readonly clock: () => Date;
  readonly oidcRules: boolean;
}

/** A fixture as the store keeps it: shaped like a registration of its metadata, with its own credentials. */
export function fixtureRecord(
  fixture: Fixture,
  { profile, credentials, clock, oidcRules }: FixtureShaping,
): ClientRecord {
  const now = clock();
  const response = clientResponse(
    profile,
    fixture.metadata,
    { client_id: fixture.client_id, client_secret: fixture.client_secret ?? '' },
    {
      issuedAt: Math.floor(now.getTime() / 1000),
      registrationAccessToken: profile.management ? credentials.token(`rat:${fixture.client_id}`) : undefined,
      oidcRules,
    },
  );
  // A fixture is one of the tenant's own (first-party) applications: it keeps every grant type it declares,
  // client_credentials included. Auth0 narrows the list only for clients that register themselves.
  const grantTypes = fixture.metadata.grant_types;
  if (grantTypes !== undefined && grantTypes.length > 0) response['grant_types'] = [...new Set(grantTypes)];
  return { id: fixture.client_id, client_id: fixture.client_id, ...response, created_at: now.toISOString() };
}
