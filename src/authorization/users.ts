import { createHash } from 'node:crypto';
import { StartupError } from '../errors.js';
import { isObject } from '../is-object.js';
import { show } from '../show.js';

/** A user as /userinfo and the id_token know it: `sub` and any claims. */
export interface User {
  readonly sub: string;
  readonly [claim: string]: unknown;
}

export const DEFAULT_EMAIL = 'user@example.com';

/** `auth0|` and 24 hex digits, as Auth0 names a database user; from (seed, label) only. */
function auth0Sub(seed: string, label: string): string {
  return `auth0|${createHash('sha256').update(`dcr-mock:${seed}:user:${label}`).digest('hex').slice(0, 24)}`;
}

/** The one user every server has, the same on every run of a seed. Its name is its email, as Auth0 names a database user. */
export function defaultUser(seed: string): User {
  return { sub: auth0Sub(seed, DEFAULT_EMAIL), email: DEFAULT_EMAIL, email_verified: true, name: DEFAULT_EMAIL };
}

/** The OIDC claims each scope releases (OpenID Connect Core §5.4). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

const STANDARD_CLAIMS = new Set(Object.values(SCOPE_CLAIMS).flat());

/**
 * The user's claims that the granted scope releases, `sub` first. A claim no standard scope names (a
 * namespaced `https://example.com/roles`, say) is released always, as an Auth0 Action would add it.
 */
export function claimsFor(user: User, scope: readonly string[]): Record<string, unknown> {
  const released = new Set(scope.flatMap((value) => SCOPE_CLAIMS[value] ?? []));
  const claims: Record<string, unknown> = { sub: user.sub };
  for (const [claim, value] of Object.entries(user)) {
    if (claim !== 'sub' && (released.has(claim) || !STANDARD_CLAIMS.has(claim))) claims[claim] = value;
  }
  return claims;
}

interface UserRule {
  readonly claim: string;
  readonly breaks: (value: unknown) => boolean;
  /** Completes "users[i].<claim> must …". */
  readonly must: string;
}

const USER_RULES: readonly UserRule[] = [
  {
    claim: 'sub',
    breaks: (v) => v !== undefined && (typeof v !== 'string' || v === ''),
    must: 'be a non-empty string',
  },
  { claim: 'email', breaks: (v) => v !== undefined && typeof v !== 'string', must: 'be a string' },
  { claim: 'email_verified', breaks: (v) => v !== undefined && typeof v !== 'boolean', must: 'be true or false' },
  { claim: 'name', breaks: (v) => v !== undefined && typeof v !== 'string', must: 'be a string' },
];

/** How deep a user's claims may nest: an `address` is two levels; tokens and db.json must stay writable. */
const MAX_CLAIM_DEPTH = 16;

/** How deep a JSON value nests, counted up to `limit` + 1 at most (so a deep value costs no more). */
function depth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, depth(item, limit - 1));
  return deepest + 1;
}

const failure = (why: string): StartupError =>
  new StartupError(`Failed to load the fixture users: ${why}. Fix that entry of "users".`, 2);

/**
 * Fixture users (`"users": [...]`), each an object of claims. One without a `sub` gets one drawn from
 * the seed and its email (else its place in the list), so it keeps it when others are added before it.
 * Throws a StartupError naming the first bad entry.
 */
export function fixtureUsers(entries: unknown, seed: string): User[] {
  if (!Array.isArray(entries)) throw failure(`"users" must be an array of objects, got ${show(entries)}`);
  const users: User[] = [];
  const subs = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    if (!isObject(entry)) throw failure(`users[${i}] must be an object of claims, got ${show(entry)}`);
    if (depth(entry, MAX_CLAIM_DEPTH) > MAX_CLAIM_DEPTH) {
      throw failure(`users[${i}] must nest at most ${MAX_CLAIM_DEPTH} levels deep`);
    }
    for (const rule of USER_RULES) {
      if (rule.breaks(entry[rule.claim])) {
        throw failure(`users[${i}].${rule.claim} must ${rule.must}, got ${show(entry[rule.claim])}`);
      }
    }
    const sub =
      (entry['sub'] as string | undefined) ?? auth0Sub(seed, (entry['email'] as string | undefined) ?? `#${i}`);
    if (subs.has(sub)) throw failure(`users[${i}].sub must be unique, and ${show(sub)} is already taken`);
    subs.add(sub);
    users.push({ ...entry, sub });
  }
  return users;
}

/**
 * The users a server knows: the default user first, then the fixtures. A fixture with the default
 * user's `sub` takes its place, which is how its claims are changed.
 */
export class Users {
  readonly list: readonly User[];

  constructor(seed: string, fixtures: readonly User[] = []) {
    const fallback = defaultUser(seed);
    const replacement = fixtures.find((user) => user.sub === fallback.sub);
    this.list = [replacement ?? fallback, ...fixtures.filter((user) => user !== replacement)];
  }

  /** The user `--login auto` answers as when no login_hint names another. */
  get default(): User {
    return this.list[0]!;
  }

  bySub(sub: string): User | undefined {
    return this.list.find((user) => user.sub === sub);
  }

  /**
   * The user a `login_hint` names: by `sub`, else by email (case-insensitive), else by
   * `preferred_username` or `nickname`. Undefined when none matches.
   */
  byLoginHint(hint: string): User | undefined {
    const lower = hint.toLowerCase();
    const matches: ReadonlyArray<(user: User) => boolean> = [
      (u) => u.sub === hint,
      (u) => typeof u['email'] === 'string' && u['email'].toLowerCase() === lower,
      (u) => u['preferred_username'] === hint || u['nickname'] === hint,
    ];
    for (const match of matches) {
      const user = this.list.find(match);
      if (user) return user;
    }
    return undefined;
  }
}
