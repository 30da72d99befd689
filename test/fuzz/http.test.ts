import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpFailure, isHttpMode } from '../../src/failures/catalogue.js';
import { type FailureRule, parseFailSpec } from '../../src/failures/spec.js';
import type { RunningServer } from '../../src/server.js';
import { Store } from '../../src/store/store.js';
import { type NodeReply, pool, send } from '../support/http.js';
import { start, tempDir } from '../support/server.js';
import {
  HOLDING_MODES,
  NASTY_KEYS,
  answeringSpec,
  body,
  contentType,
  jsonText,
  metadataText,
  ruleJson,
} from './arbitraries.js';
import { check, prototypeState, runs, timeoutFor } from './harness.js';

const RUNS = runs(60);

let server: RunningServer;
let agent: Agent;
let dbPath: string;
let dirty = true;
let cases = 0;
const prototypes = prototypeState();

beforeAll(async () => {
  dbPath = join(tempDir(), 'db.json');
  server = await start({ db: dbPath });
  agent = pool(4);
});
afterAll(async () => {
  agent.destroy();
  await server.close();
});
beforeEach(() => server.plan.clearRuntime());

interface Snapshot {
  readonly db: string;
  readonly journalBytes: number;
  readonly sequence: number;
  readonly clients: number;
}

/** The store as a bad request must leave it: db.json, its journal, and what is in memory. */
async function snapshot(first = true): Promise<Snapshot> {
  if (first) {
    // Keep db.json small; and fold the journal in, so that no idle checkpoint changes db.json mid-case.
    if (++cases % 250 === 0) await server.reset();
    if (dirty) await server.store.flush();
    dirty = false;
  }
  const journal = `${dbPath}.journal`;
  return {
    db: readFileSync(dbPath, 'utf8'),
    journalBytes: existsSync(journal) ? statSync(journal).size : -1,
    sequence: server.store.sequence,
    clients: server.store.clients.length,
  };
}

/** What the rules that come with a request must lead to. */
function expectationOf(specs: readonly string[]): { invalid: boolean; holding: boolean; asks5xx: boolean } {
  let rules: FailureRule[];
  try {
    rules = specs.flatMap((s) => parseFailSpec(s));
  } catch {
    return { invalid: true, holding: false, asks5xx: false };
  }
  return {
    invalid: false,
    holding: rules.some((r) => HOLDING_MODES.includes(r.mode)),
    asks5xx: rules.some((r) => isHttpMode(r.mode) && (r.status ?? httpFailure(r.mode, { now: 0 }).status) >= 500),
  };
}

/** The checks after every case: no unasked 5xx, nothing changed by a 4xx, still serving, prototypes intact. */
async function afterCase(reply: NodeReply, before: Snapshot, asks5xx = false): Promise<void> {
  if (!asks5xx) expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(500);
  if (reply.status >= 400 && reply.status < 500) {
    expect(await snapshot(false)).toEqual(before);
  } else {
    dirty = true;
  }
  expect(prototypeState()).toBe(prototypes);
  const health = await send(`${server.url}/__dcr/health`, { agent });
  expect(health.status).toBe(200);
}

const post = (path: string, data: string | Uint8Array, headers: Record<string, string>) =>
  send(`${server.url}${path}`, { method: 'POST', body: Buffer.from(data), headers, agent, timeoutMs: 10_000 });

describe('fuzzing POST /oidc/register', () => {
  it('arbitrary bodies: a 201 or a 4xx, never a 5xx; a 4xx changes nothing', {
    timeout: timeoutFor(RUNS),
  }, async () => {
    await check(
      'register: arbitrary bodies',
      fc.asyncProperty(body, contentType, async (data, type) => {
        const before = await snapshot();
        const reply = await post('/oidc/register', data, type ? { 'content-type': type } : {});
        expect([201, 400, 413]).toContain(reply.status);
        if (reply.status === 201) expect(JSON.parse(reply.text)).toHaveProperty('client_id');
        else expect(JSON.parse(reply.text)).toHaveProperty('error');
        await afterCase(reply, before);
      }),
      RUNS,
    );
  });

  it('x-dcr-mock-fail: a bad spec gets 400; a 5xx only when a rule asks for one', {
    timeout: timeoutFor(RUNS),
  }, async () => {
    await check(
      'register: x-dcr-mock-fail header',
      // Only what a client can send: no CR, LF or other control characters (those go by ?__fail=).
      fc.asyncProperty(
        answeringSpec.filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)),
        metadataText,
        async (spec, data) => {
          // What the server reads: the value without surrounding blanks.
          const seen = spec.replace(/^[ \t]+|[ \t]+$/g, '');
          const expected = expectationOf([seen]);
          fc.pre(!expected.holding);
          const before = await snapshot();
          const reply = await post('/oidc/register', data, {
            'content-type': 'application/json',
            'x-dcr-mock-fail': spec,
          });
          if (expected.invalid) expect([400, 413], reply.text).toContain(reply.status);
          await afterCase(reply, before, expected.asks5xx);
        },
      ),
      RUNS,
    );
  });

  it('?__fail=: encoded or raw, a bad spec gets 400; a 5xx only when a rule asks for one', {
    timeout: timeoutFor(RUNS),
  }, async () => {
    const rawQuery = fc.string({
      unit: fc
        .integer({ min: 0x21, max: 0x7e })
        .filter((c) => c !== 0x23)
        .map((c) => String.fromCharCode(c)),
      maxLength: 80,
    });
    await check(
      'register: ?__fail= query',
      fc.asyncProperty(
        fc.oneof(
          answeringSpec.map((s) => `__fail=${encodeURIComponent(s)}`),
          rawQuery.map((q) => `__fail=${q}`),
          rawQuery,
        ),
        metadataText,
        async (query, data) => {
          const given = new URL(`http://x/oidc/register?${query}`).searchParams.get('__fail');
          const expected = given === null ? { invalid: false, holding: false, asks5xx: false } : expectationOf([given]);
          fc.pre(!expected.holding);
          const before = await snapshot();
          const reply = await post(`/oidc/register?${query}`, data, { 'content-type': 'application/json' });
          if (expected.invalid) expect([400, 413], reply.text).toContain(reply.status);
          await afterCase(reply, before, expected.asks5xx);
        },
      ),
      RUNS,
    );
  });
});

describe('fuzzing POST /__dcr/failures', () => {
  it('a rule is added (201) or refused (400), never a 5xx; registering afterwards still works', {
    timeout: timeoutFor(RUNS),
  }, async () => {
    await check(
      'control: POST /__dcr/failures',
      fc.asyncProperty(ruleJson, fc.constantFrom('application/json', 'text/plain', ''), async (text, type) => {
        server.plan.clearRuntime();
        const before = await snapshot();
        const reply = await post('/__dcr/failures', text, type ? { 'content-type': type } : {});
        expect([201, 400]).toContain(reply.status);
        await afterCase(reply, before);
        if (reply.status !== 201) {
          expect(server.plan.list()).toHaveLength(0);
          return;
        }
        const listed = await send(`${server.url}/__dcr/failures`, { agent });
        expect(listed.status).toBe(200);
        const rules = server.plan.list().map((r) => r.rule);
        if (rules.some((r) => HOLDING_MODES.includes(r.mode))) return;
        const asks5xx = rules.some(
          (r) => isHttpMode(r.mode) && (r.status ?? httpFailure(r.mode, { now: 0 }).status) >= 500,
        );
        const beforeRegistration = await snapshot();
        const registration = await post(
          '/oidc/register',
          '{"client_name":"ci-1","redirect_uris":["https://a.example/cb"]}',
          { 'content-type': 'application/json', 'x-case': 'retry' },
        );
        await afterCase(registration, beforeRegistration, asks5xx);
      }),
      RUNS,
    );
  });
});

describe("fuzzing json-server's routes over the same store", () => {
  it('never a 5xx; the store still opens, and registration goes on with new ids', {
    timeout: timeoutFor(RUNS, 80),
  }, async () => {
    const issued = new Set<string>();
    let epoch = server.store.db.data.meta.epoch;
    const name = fc.oneof(
      fc.constantFrom('clients', 'clients', 'meta', ...NASTY_KEYS),
      fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
    );
    const id = fc.oneof(
      fc.constant('@first'),
      fc.constantFrom(...NASTY_KEYS),
      fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
    );
    const path = fc
      .tuple(
        name,
        fc.option(id),
        fc.constantFrom(
          '',
          '?_page=2',
          '?_sort=-client_name',
          '?_dependent=clients',
          '?_embed=meta',
          '?_embed=clients',
          '?client_name=x',
          '?a[b][c]=1',
          '?_sort=a[',
        ),
      )
      .map(([n, i, q]) => `/${encodeURIComponent(n)}${i === null ? '' : `/${encodeURIComponent(i)}`}${q}`);
    await check(
      'json-server: REST routes',
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        path,
        fc.oneof(
          metadataText,
          jsonText,
          fc.constant('{"client_name":'),
          fc.integer({ min: 1, max: 8000 }).map((n) => `{"x":${'['.repeat(n)}${']'.repeat(n)}}`),
        ),
        async (method, where, data) => {
          const before = await snapshot();
          const first = server.store.clients[0]?.id ?? 'none';
          const target = where.replace('@first', encodeURIComponent(first));
          const reply = await send(`${server.url}${target}`, {
            method,
            agent,
            ...(method === 'GET' || method === 'DELETE'
              ? {}
              : { body: data, headers: { 'content-type': 'application/json' } }),
          });
          await afterCase(reply, before);
          // What json-server wrote still opens as a store.
          await server.store.flush();
          const copy = `${dbPath}.copy`;
          copyFileSync(dbPath, copy);
          const reopened = await Store.open(copy);
          expect(reopened.sequence).toBe(server.store.sequence);
          await reopened.close();
          // And the sequence goes on: a new id, never one issued before.
          const registered = await post('/oidc/register', '{"redirect_uris":["https://a.example/cb"]}', {
            'content-type': 'application/json',
          });
          expect(registered.status).toBe(201);
          const clientId = (JSON.parse(registered.text) as { client_id: string }).client_id;
          // A reset (every 250 cases, to keep db.json small) rewinds the sequence on purpose.
          if (server.store.db.data.meta.epoch !== epoch) issued.clear();
          epoch = server.store.db.data.meta.epoch;
          expect(issued.has(clientId), clientId).toBe(false);
          issued.add(clientId);
          dirty = true;
        },
      ),
      RUNS,
    );
  });
});
