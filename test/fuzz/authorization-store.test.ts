import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import { CATALOGUE, httpAnswer } from '../../src/failures/catalogue.js';
import { type FailureRule, parseFailSpec } from '../../src/failures/spec.js';
import type { RunningServer } from '../../src/server.js';
import { type NodeReply, pool, send } from '../support/http.js';
import { start, tempDir } from '../support/server.js';
import { API, REDIRECT, type TokenRequest, authorizeQuery, tokenRequest } from './authorization-arbitraries.js';
import { check, prototypeState, runs, timeoutFor } from './harness.js';

// GET /authorize and POST /oauth/token, fuzzed: no request gets a 5xx that no failure rule asked for, and
// none answered with a 4xx changes the store (db.json, its journal, refresh-token families) or the codes
// waiting to be redeemed. The one 4xx that must change it is reuse of a rotated-out refresh token, which
// revokes its family (Auth0's reuse detection): that case is checked for exactly that change.

const RUNS = runs(60);
const VERIFIER = 'fuzz-verifier-'.padEnd(43, 'v');
const secret = (id: string) => `${id}-secret-${'0'.repeat(48)}`;
const FIXTURES = [
  {
    client_id: 'fuzz-web',
    client_secret: secret('fuzz-web'),
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    client_id: 'fuzz-public',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  },
  {
    client_id: 'fuzz-machine',
    client_secret: secret('fuzz-machine'),
    redirect_uris: [REDIRECT],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_post',
  },
];

let server: RunningServer;
let agent: Agent;
let dbPath: string;
let dirty = true;
let cases = 0;
const prototypes = prototypeState();
/** The registered (tpc_) client, registered again after a reset. */
let tpc: { id: string; secret: string } | undefined;
/** The refresh-token family the runner keeps: its live token and the one it replaced. */
let family: { id: string; live: string; spent: string | undefined } | undefined;

beforeAll(async () => {
  dbPath = join(tempDir(), 'db.json');
  server = await start({ db: dbPath, fixtures: FIXTURES });
  agent = pool(4);
});
afterAll(async () => {
  agent.destroy();
  await server.close();
});
beforeEach(() => server.plan.clearRuntime());

const clientOf: Record<string, () => { id: string; secret?: string }> = {
  '@web': () => ({ id: 'fuzz-web', secret: secret('fuzz-web') }),
  '@public': () => ({ id: 'fuzz-public' }),
  '@machine': () => ({ id: 'fuzz-machine', secret: secret('fuzz-machine') }),
  '@tpc': () => tpc!,
};

async function registered(): Promise<void> {
  if (tpc && server.store.has(tpc.id)) return;
  const reply = await send(`${server.url}/oidc/register`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' }),
  });
  const { client_id, client_secret } = JSON.parse(reply.text) as { client_id: string; client_secret: string };
  tpc = { id: client_id, secret: client_secret };
  dirty = true;
}

/** A fresh code for a client, with VERIFIER's challenge (and offline_access, for a refresh token). */
async function freshCode(clientId: string): Promise<string> {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access read:items',
    audience: API,
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
  });
  const reply = await send(`${server.url}/authorize?${query}`, { agent });
  const code = new URL(String(reply.headers['location'])).searchParams.get('code');
  if (!code) throw new Error(`/authorize gave no code: ${reply.status} ${reply.text}`);
  return code;
}

/** A live refresh-token family of fuzz-web, started when there is none. */
async function liveFamily(): Promise<NonNullable<typeof family>> {
  const known = family && server.authorization.grants().refresh_tokens.find((f) => f.id === family!.id);
  if (family && known && known.revoked_at === null) return family;
  const before = new Set(server.authorization.grants().refresh_tokens.map((f) => f.id));
  const reply = await tokenPost(
    form([
      ['grant_type', 'authorization_code'],
      ['client_id', 'fuzz-web'],
      ['client_secret', secret('fuzz-web')],
      ['code', await freshCode('fuzz-web')],
      ['redirect_uri', REDIRECT],
      ['code_verifier', VERIFIER],
    ]),
    { 'content-type': 'application/x-www-form-urlencoded' },
  );
  const { refresh_token } = JSON.parse(reply.text) as { refresh_token: string };
  const created = server.authorization.grants().refresh_tokens.find((f) => !before.has(f.id))!;
  family = { id: created.id, live: refresh_token, spent: undefined };
  dirty = true;
  return family;
}

const form = (params: ReadonlyArray<readonly [string, string]>) =>
  new URLSearchParams(params as Array<[string, string]>).toString();

const tokenPost = (data: string | Uint8Array, headers: Record<string, string>) =>
  send(`${server.url}/oauth/token`, { method: 'POST', body: Buffer.from(data), headers, agent, timeoutMs: 10_000 });

interface Snapshot {
  readonly db: string;
  readonly journalBytes: number;
  readonly sequence: number;
  readonly clients: number;
  readonly families: string;
  readonly codes: string;
}

async function snapshot(first = true): Promise<Snapshot> {
  if (first) {
    if (++cases % 250 === 0) {
      await server.reset();
      family = undefined;
      dirty = true;
    }
    if (dirty) await server.store.flush();
    dirty = false;
  }
  const journal = `${dbPath}.journal`;
  return {
    db: readFileSync(dbPath, 'utf8'),
    journalBytes: existsSync(journal) ? statSync(journal).size : -1,
    sequence: server.store.sequence,
    clients: server.store.clients.length,
    families: JSON.stringify(server.store.records('refresh_tokens')),
    codes: JSON.stringify(server.authorization.grants().codes.map((c) => c.code)),
  };
}

/** Whether the rules that come with a request may answer 5xx for this endpoint; invalid specs are a 400. */
function asks5xx(specs: ReadonlyArray<string | null>, endpoint: string): boolean {
  let rules: FailureRule[];
  try {
    rules = specs.flatMap((s) => (s === null ? [] : parseFailSpec(s)));
  } catch {
    return false;
  }
  return rules.some((rule) => {
    const spec = CATALOGUE.mode(rule.endpoint, rule.mode);
    if (rule.endpoint !== endpoint || !spec || spec.kind !== 'http') return false;
    const status = httpAnswer(spec, { now: 0, status: rule.status, context: { redirect_uri: REDIRECT } }).status;
    return status >= 500;
  });
}

/** The checks after every case; `reuse`: the store may change, and only by that revocation. */
async function afterCase(reply: NodeReply, before: Snapshot, allow5xx: boolean, reuse = false): Promise<void> {
  if (!allow5xx) expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(500);
  if (reuse) dirty = true;
  else if (reply.status >= 400 && reply.status < 500) expect(await snapshot(false)).toEqual(before);
  else dirty = true;
  expect(prototypeState()).toBe(prototypes);
  expect((await send(`${server.url}/__dcr/health`, { agent })).status).toBe(200);
}

describe('fuzzing GET /authorize', () => {
  it('any query: a redirect, a page or a 4xx, never an unasked 5xx; a 4xx issues no code', {
    timeout: timeoutFor(RUNS),
  }, async () => {
    await check(
      'authorize: query strings',
      fc.asyncProperty(authorizeQuery, async (raw) => {
        await registered();
        const query = raw
          .replace(/%40web/g, 'fuzz-web')
          .replace(/%40public/g, 'fuzz-public')
          .replace(/%40machine/g, 'fuzz-machine')
          .replace(/%40tpc/g, encodeURIComponent(tpc!.id))
          .replace(/%40challenge/g, s256(VERIFIER));
        const before = await snapshot();
        const reply = await send(`${server.url}/authorize?${query}`, { agent, timeoutMs: 10_000 });
        expect(reply.status === 200 || reply.status === 302 || reply.status >= 400, reply.text.slice(0, 300)).toBe(
          true,
        );
        const fail = new URL(`http://x/?${query}`).searchParams.get('__fail');
        await afterCase(reply, before, asks5xx([fail], 'authorize'));
      }),
      RUNS,
    );
  });
});

/** The request's bytes and headers, placeholders filled in from the server's state. */
async function materialize(
  request: TokenRequest,
): Promise<{ data: string | Uint8Array; headers: Record<string, string>; spent: boolean }> {
  const used = (name: string) => request.params.some(([, v]) => v === name);
  const named = request.params.find(([k]) => k === 'client_id')?.[1] ?? '@web';
  const client = Object.hasOwn(clientOf, named) ? clientOf[named]! : clientOf['@web']!;
  const fill: Record<string, () => Promise<string> | string> = {
    '@web': () => 'fuzz-web',
    '@public': () => 'fuzz-public',
    '@machine': () => 'fuzz-machine',
    '@tpc': () => tpc!.id,
    '@secret': () => client().secret ?? 'no-secret',
    '@verifier': () => VERIFIER,
  };
  const values = new Map<string, string>();
  if (used('@code')) values.set('@code', await freshCode(client().id));
  if (used('@refresh') || used('@spent')) {
    let live = await liveFamily();
    if (used('@spent') && live.spent === undefined) {
      // Rotate once, so that there is a rotated-out token to present.
      const reply = await tokenPost(
        form([
          ['grant_type', 'refresh_token'],
          ['client_id', 'fuzz-web'],
          ['client_secret', secret('fuzz-web')],
          ['refresh_token', live.live],
        ]),
        { 'content-type': 'application/x-www-form-urlencoded' },
      );
      live = { ...live, spent: live.live, live: (JSON.parse(reply.text) as { refresh_token: string }).refresh_token };
      family = live;
      dirty = true;
    }
    values.set('@refresh', live.live);
    values.set('@spent', live.spent ?? '');
  }
  const value = async (v: string) => values.get(v) ?? (Object.hasOwn(fill, v) ? await fill[v]!() : v);
  const params: Array<[string, string]> = [];
  for (const [k, v] of request.params) params.push([k, await value(v)]);

  const headers: Record<string, string> = {};
  const matching = request.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  if (request.contentType !== null) {
    headers['content-type'] = request.contentType === '@matching' ? matching : request.contentType;
  }
  if (request.authorization === '@basic') {
    const { id, secret: s = '' } = client();
    headers['authorization'] =
      `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64')}`;
  } else if (request.authorization !== null) headers['authorization'] = request.authorization;
  if (request.fail !== null) headers['x-dcr-mock-fail'] = request.fail;

  let data: string | Uint8Array;
  if (request.encoding === 'raw') data = request.raw;
  else if (request.encoding === 'form') data = form(params);
  else {
    // By hand, so that repeated names and keys such as "__proto__" reach the wire as they are.
    const entries = params.map(([k, v]) => `${JSON.stringify(k)}:${request.rawJson[k] ?? JSON.stringify(v)}`);
    data = `{${entries.join(',')}}`;
  }
  return { data, headers, spent: used('@spent') };
}

describe('fuzzing POST /oauth/token', () => {
  it('forms, JSON and anything else: 200 or 4xx, never an unasked 5xx; a 4xx changes nothing', {
    timeout: timeoutFor(RUNS, 80),
  }, async () => {
    await check(
      'token: form and JSON bodies',
      fc.asyncProperty(tokenRequest, async (request) => {
        await registered();
        const { data, headers, spent } = await materialize(request);
        const kept = family;
        const generation = kept && server.store.find('refresh_tokens', kept.id)?.['generation'];
        const before = await snapshot();
        const reply = await tokenPost(data, headers);
        expect(reply.status === 200 || reply.status >= 400, reply.text.slice(0, 300)).toBe(true);
        // Every refusal of the server's own is an OAuth error body (an injected one may be a proxy's page).
        if (reply.status !== 200 && reply.headers['x-dcr-mock-failure'] === undefined) {
          expect(JSON.parse(reply.text), reply.text.slice(0, 300)).toHaveProperty('error');
        }
        const revoked = kept && server.store.find('refresh_tokens', kept.id)?.['revoked_reason'];
        const reuse = spent && reply.status === 403 && revoked === 'reuse';
        if (reuse) {
          // Reuse detection: the one 4xx that changes the store, and only by revoking that family.
          const after = await snapshot(false);
          const rest = (s: Snapshot) => ({ ...s, db: '', journalBytes: 0, families: '' });
          expect(rest(after)).toEqual(rest(before));
          const was = JSON.parse(before.families) as unknown[];
          const changed = (JSON.parse(after.families) as Array<{ id: string }>).filter(
            (f, i) => JSON.stringify(f) !== JSON.stringify(was[i]),
          );
          expect(changed.map((f) => f.id)).toEqual([kept!.id]);
          family = undefined;
        }
        await afterCase(reply, before, asks5xx([request.fail], 'token'), reuse);
        // A real refresh rotated the family the runner keeps: its new token is the live one.
        const now = kept && server.store.find('refresh_tokens', kept.id)?.['generation'];
        if (kept && now !== generation && reply.status === 200) {
          const rotated = (JSON.parse(reply.text) as { refresh_token?: string }).refresh_token;
          family = rotated ? { id: kept.id, live: rotated, spent: kept.live } : undefined;
        }
      }),
      RUNS,
    );
  });
});
