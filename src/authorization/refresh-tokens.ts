import { timingSafeEqual } from 'node:crypto';
import type { Draw } from './draw.js';
import { INVALID_REFRESH_TOKEN, InvalidGrant, InvalidScope } from './errors.js';
import type { PersistHook, RefreshFamilyRecord } from './refresh-records.js';
import { formatScope, parseScope, scopeBeyond } from './scope.js';

/** Auth0's defaults for rotating refresh tokens, in seconds: 30 days absolute, 15 days idle. */
export const REFRESH_ABSOLUTE_LIFETIME = 2_592_000;
export const REFRESH_IDLE_LIFETIME = 1_296_000;

const SECRET_LENGTH = 64;
/** `v1.`, then the family's number (5 bytes) and the token's generation (4 bytes) in base64url, then the secret. */
const TOKEN = /^v1\.([A-Za-z0-9_-]{12})([A-Za-z0-9_-]{64})$/;

export interface RefreshTokensOptions {
  readonly draw: Draw;
  readonly clock: () => Date;
  readonly persist?: PersistHook | undefined;
  /** Default for new families. Default true, as Auth0 has it for SPA, native and strict-mode clients. */
  readonly rotation?: boolean | undefined;
  /** Seconds during which the token exchanged last may be exchanged again (Auth0's rotation overlap period). Default 0. */
  readonly reuseLeeway?: number | undefined;
  /** Seconds from the authorization; null: none. */
  readonly absoluteLifetime?: number | null | undefined;
  /** Seconds from the last exchange; null: none. */
  readonly idleLifetime?: number | null | undefined;
  /** Families to restore, as `list()` gave them. */
  readonly records?: readonly RefreshFamilyRecord[] | undefined;
}

/** A family as the control plane and the inspector show it: the record, whether it still works, and until when. */
export type RefreshFamilyView = RefreshFamilyRecord & {
  /** `revoked` (see `revoked_reason`), `expired` past a lifetime, else `live`. */
  state: 'live' | 'expired' | 'revoked';
  /** Seconds since the epoch: the sooner of the absolute and idle lifetimes' ends; null when neither applies. */
  expires_at: number | null;
};

export interface RefreshGrant {
  readonly client_id: string;
  readonly sub: string;
  readonly scope: readonly string[];
  readonly audience?: string | undefined;
  /** Overrides the default of the options. */
  readonly rotation?: boolean | undefined;
}

export interface RefreshRequest {
  readonly refresh_token: string | undefined;
  readonly client_id: string;
  /** The `scope` parameter: undefined or empty keeps the scope granted. */
  readonly scope?: string | undefined;
}

export interface RefreshResult {
  /** The new token; undefined without rotation, where the one presented stays valid (Auth0 sends none then). */
  readonly refresh_token: string | undefined;
  /** The scope of the access token to issue. */
  readonly scope: string[];
  readonly record: RefreshFamilyRecord;
}

/**
 * Refresh-token families: rotation with reuse detection (a rotated-out token presented again revokes
 * the whole family), Auth0's overlap period, absolute and idle lifetimes. The store is the caller's:
 * every change goes through the persist hook, and is undone in memory when that fails.
 */
export class RefreshTokens {
  readonly #options: RefreshTokensOptions;
  readonly #families = new Map<number, RefreshFamilyRecord>();
  #count = 0;

  constructor(options: RefreshTokensOptions) {
    this.#options = options;
    this.restore(options.records ?? []);
  }

  /** The first token of a new family, for an authorization that granted offline_access. */
  async issue(grant: RefreshGrant): Promise<{ refresh_token: string; record: RefreshFamilyRecord }> {
    const now = this.#now();
    const n = this.#count + 1;
    const record: RefreshFamilyRecord = {
      id: `rtf_${n}`,
      n,
      client_id: grant.client_id,
      sub: grant.sub,
      scope: [...grant.scope],
      audience: grant.audience ?? null,
      rotation: grant.rotation ?? this.#options.rotation ?? true,
      created_at: now,
      generation: 1,
      issued_at: now,
      previous: null,
      revoked_at: null,
      revoked_reason: null,
    };
    this.#count = n;
    await this.#commit(undefined, record);
    return { refresh_token: this.#token(n, 1), record };
  }

  /**
   * The refresh_token grant. Throws Auth0's `403 invalid_grant` ("Unknown or invalid refresh token.")
   * for an unknown, revoked or expired token or another client's; for a rotated-out token outside the
   * leeway it revokes the family first. A scope beyond the one granted is `invalid_scope` and changes nothing.
   */
  async exchange(request: RefreshRequest): Promise<RefreshResult> {
    const found = this.#find(request.refresh_token);
    const family = found?.family;
    const now = this.#now();
    if (!family || family.client_id !== request.client_id || family.revoked_at !== null || this.#expired(family, now)) {
      throw new InvalidGrant(INVALID_REFRESH_TOKEN);
    }
    const generation = found!.generation;
    const live = generation === family.generation;
    const leeway = this.#options.reuseLeeway ?? 0;
    const overlap =
      leeway > 0 && family.previous?.generation === generation && now - family.previous.exchanged_at <= leeway;
    if (family.rotation && !live && !overlap) {
      await this.#commit(family, { ...family, revoked_at: now, revoked_reason: 'reuse' });
      throw new InvalidGrant(INVALID_REFRESH_TOKEN);
    }
    const requested = parseScope(request.scope);
    const wider = scopeBeyond(requested, family.scope);
    if (wider.length > 0) {
      throw new InvalidScope(
        `scope must be within the scope granted ("${formatScope(family.scope)}"); ${formatScope(wider)} was not granted`,
      );
    }
    const scope = requested.length > 0 ? requested : [...family.scope];
    if (!family.rotation) {
      const record = await this.#commit(family, { ...family, issued_at: now });
      return { refresh_token: undefined, scope, record };
    }
    const next = family.generation + 1;
    const previous = live ? { generation, exchanged_at: now } : family.previous;
    const record = await this.#commit(family, { ...family, generation: next, issued_at: now, previous });
    return { refresh_token: this.#token(family.n, next), scope, record };
  }

  /**
   * RFC 7009 for the client that holds the token: revokes its whole family. False, changing nothing,
   * for an unknown token or another client's (Auth0 answers 200 either way).
   */
  async revoke(token: string | undefined, clientId: string): Promise<boolean> {
    const family = this.#find(token)?.family;
    if (!family || family.client_id !== clientId) return false;
    if (family.revoked_at === null) {
      await this.#commit(family, { ...family, revoked_at: this.#now(), revoked_reason: 'revoked' });
    }
    return true;
  }

  /**
   * Revokes every family still live; returns how many. One past its lifetime is left as it is: it works no
   * more already, and counting it would overstate what the call did.
   */
  async revokeAll(): Promise<number> {
    const now = this.#now();
    const live = [...this.#families.values()].filter(
      (family) => family.revoked_at === null && !this.#expired(family, now),
    );
    for (const family of live) await this.#commit(family, { ...family, revoked_at: now, revoked_reason: 'revoked' });
    return live.length;
  }

  /** The family a token belongs to, if it is one of this server's; changes nothing. */
  find(token: string | undefined): RefreshFamilyRecord | undefined {
    return this.#find(token)?.family;
  }

  list(): RefreshFamilyRecord[] {
    return [...this.#families.values()];
  }

  /** Every family with its state by the injected clock, for the control plane. */
  views(): RefreshFamilyView[] {
    const now = this.#now();
    return this.list().map((family) => {
      const expires_at = this.#expiresAt(family);
      const state =
        family.revoked_at !== null ? 'revoked' : expires_at !== null && now >= expires_at ? 'expired' : 'live';
      return { ...family, state, expires_at };
    });
  }

  /** Replaces every family with these (a restart, or a reset with an empty list), and the draws follow on from them. */
  restore(records: readonly RefreshFamilyRecord[]): void {
    this.#families.clear();
    this.#count = 0;
    for (const record of records) {
      this.#families.set(record.n, record);
      this.#count = Math.max(this.#count, record.n);
    }
  }

  #find(token: string | undefined): { family: RefreshFamilyRecord; generation: number } | undefined {
    const match = TOKEN.exec(token ?? '');
    if (!match) return undefined;
    const id = Buffer.from(match[1]!, 'base64url');
    const n = id.readUIntBE(0, 5);
    const generation = id.readUInt32BE(5);
    const family = this.#families.get(n);
    if (!family || generation < 1 || generation > family.generation) return undefined;
    const expected = Buffer.from(this.#secret(n, generation));
    const given = Buffer.from(match[2]!);
    return timingSafeEqual(expected, given) ? { family, generation } : undefined;
  }

  #token(n: number, generation: number): string {
    const id = Buffer.alloc(9);
    id.writeUIntBE(n, 0, 5);
    id.writeUInt32BE(generation, 5);
    return `v1.${id.toString('base64url')}${this.#secret(n, generation)}`;
  }

  #secret(n: number, generation: number): string {
    return this.#options.draw(`refresh:${n}:${generation}`, SECRET_LENGTH);
  }

  #expired(family: RefreshFamilyRecord, now: number): boolean {
    const at = this.#expiresAt(family);
    return at !== null && now >= at;
  }

  #expiresAt(family: RefreshFamilyRecord): number | null {
    const { absoluteLifetime = REFRESH_ABSOLUTE_LIFETIME, idleLifetime = REFRESH_IDLE_LIFETIME } = this.#options;
    const ends: number[] = [];
    if (absoluteLifetime !== null) ends.push(family.created_at + absoluteLifetime);
    if (idleLifetime !== null) ends.push(family.issued_at + idleLifetime);
    return ends.length === 0 ? null : Math.min(...ends);
  }

  /**
   * Puts the record in place at once, so that a second request for the same token, arriving while the
   * first is being stored, already sees it spent; then stores it, and puts the old one back if that fails.
   */
  async #commit(before: RefreshFamilyRecord | undefined, after: RefreshFamilyRecord): Promise<RefreshFamilyRecord> {
    this.#families.set(after.n, after);
    try {
      await this.#options.persist?.({ collection: 'refresh_tokens', op: before ? 'update' : 'insert', record: after });
    } catch (err) {
      if (this.#families.get(after.n) === after) {
        if (before) this.#families.set(before.n, before);
        else this.#families.delete(after.n);
      }
      throw err;
    }
    return after;
  }

  #now(): number {
    return Math.floor(this.#options.clock().getTime() / 1000);
  }
}
