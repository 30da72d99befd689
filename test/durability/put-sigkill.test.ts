import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import { sfc32Randomizer, seedWords } from '../../src/random.js';
import { JournaledJSONFile } from '../../src/store/journaled-file.js';
import type { StoredRecord } from '../../src/store/shape.js';
import { type Cli, startCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

/**
 * Refresh-token families change on every rotation and revocation (Store.put): a real dcr-mock is
 * killed at random moments while four clients rotate and revoke, and each restart must hold every
 * acknowledged change, once per family, and honour the newest token of each.
 */
const ROUNDS = 8;
const WORKERS = 4;
const MAX_PER_ROUND = 120;
const SEED = process.env['DCR_SIGKILL_SEED'] ?? 'put-sigkill';
const REDIRECT = 'http://127.0.0.1:8765/callback';
const VERIFIER = 'k'.repeat(43);

interface Round {
  /** Kill once this many changes were acknowledged in the round. */
  readonly kill: number;
  /** Then, if set, stop sending and wait this long first: the kill races the idle checkpoint. */
  readonly idleMs: number | undefined;
}

function plan(seed: string): Round[] {
  const random = sfc32Randomizer(seedWords(seed));
  return Array.from({ length: ROUNDS }, () => ({
    kill: 1 + Math.floor(random.next() * MAX_PER_ROUND),
    idleMs: random.next() < 0.4 ? 150 + Math.floor(random.next() * 150) : undefined,
  }));
}

/** What a client was told of one family: its newest token and generation, and whether it was revoked. */
interface Family {
  readonly n: number;
  token: string;
  generation: number;
  revoked: boolean;
  /** A change asked for when the server was killed: it may or may not have been stored. */
  inFlight?: 'rotate' | 'revoke';
  /** The client no longer has the newest token (its answer was lost in a kill): the family is left as it is. */
  lost?: boolean;
}

/** The family a token belongs to: its first 9 bytes after `v1.` are the family's n (5) and generation (4). */
const familyOf = (token: string) => Buffer.from(token.slice(3, 15), 'base64url').readUIntBE(0, 5);

async function post(url: string, params: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(params) });
}

async function registerClient(base: string): Promise<string> {
  const res = await fetch(`${base}/oidc/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

/** A new family: an authorization with offline_access and its code exchanged. */
async function authorize(base: string, clientId: string): Promise<Family> {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access',
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
  });
  const redirect = await fetch(`${base}/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
  const res = await post(`${base}/oauth/token`, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const token = ((await res.json()) as { refresh_token: string }).refresh_token;
  return { n: familyOf(token), token, generation: 1, revoked: false };
}

async function rotate(base: string, clientId: string, family: Family): Promise<void> {
  const res = await post(`${base}/oauth/token`, {
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: family.token,
  });
  expect(res.status, `rtf_${family.n} at generation ${family.generation}: ${await res.clone().text()}`).toBe(200);
  family.token = ((await res.json()) as { refresh_token: string }).refresh_token;
  family.generation++;
}

class Client {
  readonly families = new Map<number, Family>();
  /** Families stored whose first token never reached the client (killed mid-exchange). */
  unacknowledged = 0;

  constructor(readonly clientId: string) {}

  /** The families whose newest token the client holds and that are not revoked. */
  live(): Family[] {
    return [...this.families.values()].filter((f) => !f.revoked && !f.lost);
  }

  /**
   * Workers rotate their family's token, now and then revoke it and start another, until `kill`
   * changes were acknowledged; then the child is killed (at once, or after an idle spell).
   */
  async loadThenKill(child: Cli, round: number, spec: Round): Promise<void> {
    let acknowledged = 0;
    let stop = false;
    const acknowledge = () => {
      if (++acknowledged < spec.kill || stop) return;
      stop = true;
      if (spec.idleMs === undefined) child.process.kill('SIGKILL');
      else setTimeout(() => child.process.kill('SIGKILL'), spec.idleMs);
    };
    const live = this.live();
    const worker = async (w: number) => {
      const random = sfc32Randomizer(seedWords(`${SEED}:${round}:${w}`));
      let family: Family | undefined = live[w];
      while (!stop) {
        try {
          if (!family) {
            family = await authorize(child.url, this.clientId);
            this.families.set(family.n, family);
          } else if (random.next() < 0.1) {
            family.inFlight = 'revoke';
            const res = await post(`${child.url}/oauth/revoke`, { client_id: this.clientId, token: family.token });
            expect(res.status).toBe(200);
            family.revoked = true;
            family.inFlight = undefined;
            family = undefined;
          } else {
            family.inFlight = 'rotate';
            await rotate(child.url, this.clientId, family);
            family.inFlight = undefined;
          }
        } catch (err) {
          // A request the kill cut off (fetch failed, or its answer was cut short); anything else is a failure.
          if (stop && err instanceof TypeError) return;
          throw err;
        }
        acknowledge();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await child.stop('SIGKILL');
  }

  /**
   * How the records stored differ from what was acknowledged, one line each. A change in flight at
   * the kill may be stored or not; either way it is what the family is from then on.
   */
  check(records: readonly StoredRecord[]): string[] {
    const problems: string[] = [];
    const byId = new Map(records.map((r) => [r.id, r]));
    if (byId.size !== records.length) problems.push(`an id is there twice: ${records.map((r) => r.id).join(',')}`);
    for (const family of this.families.values()) {
      const record = byId.get(`rtf_${family.n}`);
      byId.delete(`rtf_${family.n}`);
      if (!record) {
        problems.push(`rtf_${family.n} is missing`);
        continue;
      }
      const generation = record['generation'] as number;
      const revoked = record['revoked_at'] !== null;
      const asAcknowledged = generation === family.generation && revoked === family.revoked;
      const inFlight = family.inFlight;
      family.inFlight = undefined;
      if (asAcknowledged) continue;
      if (inFlight === 'rotate' && generation === family.generation + 1 && revoked === family.revoked) {
        family.generation = generation;
        family.lost = true;
      } else if (inFlight === 'revoke' && generation === family.generation && revoked) {
        family.revoked = true;
      } else {
        const state = (g: number, r: boolean) => `generation ${g}${r ? ' revoked' : ''}`;
        problems.push(
          `rtf_${family.n}: stored ${state(generation, revoked)}, acknowledged ${state(family.generation, family.revoked)}${inFlight ? ` (${inFlight} in flight)` : ''}`,
        );
      }
    }
    // What is left was stored, never acknowledged: a code exchange the kill cut off (one per worker at most).
    if (byId.size > WORKERS) problems.push(`${byId.size} families stored that no client was told of`);
    for (const record of byId.values()) {
      const n = record['n'] as number;
      this.unacknowledged++;
      this.families.set(n, {
        n,
        token: '',
        generation: record['generation'] as number,
        revoked: record['revoked_at'] !== null,
        lost: true,
      });
    }
    return problems;
  }
}

function refreshTokensOf(db: string): StoredRecord[] {
  return (JSON.parse(readFileSync(db, 'utf8')) as { refresh_tokens?: StoredRecord[] }).refresh_tokens ?? [];
}

describe('records that change (Store.put) under SIGKILL', () => {
  it(`loses no acknowledged rotation or revocation over ${ROUNDS} kills, one record per family (seed ${SEED})`, {
    timeout: 180_000,
  }, async () => {
    const db = join(tempDir(), 'db.json');
    const args = ['--port', '0', '--db', db, '--quiet', '--seed', SEED];
    let client: Client | undefined;
    let kills = 0;

    for (const [round, spec] of plan(SEED).entries()) {
      const child = await startCli(args);
      client ??= new Client(await registerClient(child.url));
      if (round > 0) {
        // The restart folded the journal into db.json: it alone holds every acknowledged change.
        expect(client.check(refreshTokensOf(db)), `round ${round}: at restart`).toEqual([]);
        // And the newest token of each live family is honoured (a rotated-out one would revoke the family).
        for (const family of client.live()) await rotate(child.url, client.clientId, family);
      }
      await client.loadThenKill(child, round, spec);
      kills++;

      // Straight after the kill, before any restart: db.json and its journal hold every acknowledged change.
      const data = await new JournaledJSONFile(db).read();
      const records = (data?.['refresh_tokens'] as StoredRecord[] | undefined) ?? [];
      expect(client.check(records), `round ${round} (${JSON.stringify(spec)})`).toEqual([]);
    }

    // A last start and a clean stop: everything is in db.json, one record per family, and the journal is gone.
    const child = await startCli(args);
    expect(await child.stop()).toBe(0);
    const final = refreshTokensOf(db);
    expect(client!.check(final)).toEqual([]);
    expect(final.map((r) => r.id).sort()).toEqual([...client!.families.keys()].map((n) => `rtf_${n}`).sort());
    expect(existsSync(`${db}.journal`)).toBe(false);
    const rotations = final.reduce((sum, r) => sum + (r['generation'] as number) - 1, 0);
    const revoked = final.filter((r) => r['revoked_at'] !== null).length;
    console.log(
      `[durability] seed ${SEED}: ${kills} kills, ${final.length} families (${client!.unacknowledged} never acknowledged), ${rotations} rotations, ${revoked} revoked, none lost`,
    );
  });
});
