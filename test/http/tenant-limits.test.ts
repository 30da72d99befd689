import { afterEach, describe, expect, it } from 'vitest';
import { parseFailSpec } from '../../src/failures/spec.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

const CLOCK = '2026-01-01T00:00:00Z';
const NOW_S = Date.parse(CLOCK) / 1000;
const NO_HEADERS: Record<string, string> = {};
const client = (name: string) => ({ client_name: name, redirect_uris: ['https://app.example/cb'] });

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const health = async (s: RunningServer) =>
  (await (await fetch(`${s.url}/__dcr/health`)).json()) as { clients: number; sequence: number };

describe('--max-clients', () => {
  it("the N+1th registration gets Auth0's 403 too_many_entities, and stores nothing", async () => {
    server = await start({ maxClients: 2 });
    const statuses = [];
    for (const name of ['a', 'b', 'c', 'd']) statuses.push((await register(server, client(name))).status);
    expect(statuses).toEqual([201, 201, 403, 403]);
    const refused = await register(server, client('e'));
    expect(refused.json).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'You reached the limit of entities of this type for this tenant.',
      errorCode: 'too_many_entities',
    });
    expect(await health(server)).toMatchObject({ clients: 2, sequence: 2 });
    // The journal names the limit that refused (newest first).
    expect(server.journal.list().map((e) => e.failure)).toEqual([
      'limit:max-clients',
      'limit:max-clients',
      'limit:max-clients',
      undefined,
      undefined,
    ]);
  });

  it('answers as the too_many_entities failure mode does', async () => {
    server = await start({ maxClients: 0 });
    const limited = await register(server, client('a'));
    const injected = await register(server, client('a'), { 'x-dcr-mock-fail': 'too_many_entities' });
    expect(limited.status).toBe(403);
    expect(limited.text).toBe(injected.text);
  });

  it('a deleted client frees its place; the ids carry on from the sequence', async () => {
    server = await start({ maxClients: 1 });
    const first = await register(server, client('a'));
    expect((await register(server, client('b'))).status).toBe(403);
    await fetch(`${server.url}/__dcr/clients/${first.json['client_id'] as string}`, { method: 'DELETE' });
    const second = await register(server, client('b'));
    expect(second.status).toBe(201);
    const reference = await start({});
    try {
      await register(reference, client('a'));
      expect(second.json['client_id']).toBe((await register(reference, client('b'))).json['client_id']);
    } finally {
      await reference.close();
    }
  });
});

describe('--max-clients with registrations in flight', () => {
  it.each([
    { held: 'by --latency', options: { latency: 200 }, headers: NO_HEADERS },
    { held: 'by a delay rule', options: {}, headers: { 'x-dcr-mock-fail': 'delay:ms=200' } },
  ])('50 at once, $held, store 10 under --max-clients 10', async ({ options, headers }) => {
    server = await start({ maxClients: 10, ...options });
    const s = server;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => register(s, client(`c${i}`), headers)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(10).fill(201), ...Array(40).fill(403)]);
    expect(await health(server)).toMatchObject({ clients: 10, sequence: 10 });
  });

  it('a registration holds its place from admission; a client that goes away gives it back', async () => {
    server = await start({ maxClients: 2 });
    const held = server.plan.add(parseFailSpec('delay:ms=60000,header=x-case:held')[0]!);
    const gone = new AbortController();
    const heldOnes = [1, 2].map((i) =>
      fetch(server!.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-case': 'held' },
        body: JSON.stringify(client(`held-${i}`)),
        signal: gone.signal,
      }).catch((err: Error) => err.name),
    );
    // Both admitted, both held back by the delay for a minute.
    while (held.seen < 2) await new Promise((resolve) => setImmediate(resolve));
    expect((await register(server, client('while-held'))).status).toBe(403);

    gone.abort();
    expect(await Promise.all(heldOnes)).toEqual(['AbortError', 'AbortError']);
    // Their journal entries are written as their connections close; the places are given back in the same turn.
    while (server.journal.list().filter((e) => e.status === 0).length < 2) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setImmediate(resolve));
    const statuses = [];
    for (const name of ['after-1', 'after-2', 'after-3']) statuses.push((await register(server, client(name))).status);
    expect(statuses).toEqual([201, 201, 403]);
  });

  it.each([
    { name: 'invalid metadata', body: { redirect_uris: 'nope' }, headers: NO_HEADERS, status: 400 },
    { name: 'an injected 500', body: client('a'), headers: { 'x-dcr-mock-fail': 'server_error' }, status: 500 },
    { name: 'a reset connection', body: client('a'), headers: { 'x-dcr-mock-fail': 'reset' }, status: 0 },
  ])('a registration that fails after admission ($name) gives its place back', async ({ body, headers, status }) => {
    server = await start({ maxClients: 1 });
    const failed = await register(server, body, headers).then(
      (reply) => reply.status,
      () => 0,
    );
    expect(failed).toBe(status);
    expect((await register(server, client('b'))).status).toBe(201);
    expect((await register(server, client('c'))).status).toBe(403);
  });
});

describe('--rate-limit', () => {
  it('allows exactly the burst, with X-RateLimit-* on every answer, then the catalogue 429', async () => {
    server = await start({ rateLimit: '1/3', clock: CLOCK });
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await register(server, i === 1 ? { redirect_uris: 'bad' } : client(`c${i}`)));
    expect(answers.map((a) => a.status)).toEqual([201, 400, 201, 429, 429]);
    expect(answers.map((a) => a.headers.get('x-ratelimit-limit'))).toEqual(['3', '3', '3', '3', '3']);
    expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0', '0']);
    expect(answers.map((a) => Number(a.headers.get('x-ratelimit-reset')))).toEqual([
      NOW_S + 1,
      NOW_S + 2,
      NOW_S + 3,
      NOW_S + 3,
      NOW_S + 3,
    ]);
    const refused = answers[3]!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json['error']).toBe('too_many_requests');
    expect(refused.json['error_description']).toBe('Global limit has been reached');
    expect(refused.headers.get('x-dcr-mock-failure')).toBeNull();
    expect(server.journal.list()[0]?.failure).toBe('limit:rate-limit');
    expect(await health(server)).toMatchObject({ clients: 2, sequence: 2 });
  });

  it('auth0 = 5 a second, burst 5', async () => {
    server = await start({ rateLimit: 'auth0', clock: CLOCK });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await register(server, client(`c${i}`))).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it('a refused request does not advance the sequence: the next 201 gets the next id', async () => {
    server = await start({ rateLimit: '1/1', clock: CLOCK });
    await register(server, client('a'));
    expect((await register(server, client('b'))).status).toBe(429);
    await fetch(`${server.url}/__dcr/reset`, { method: 'POST' });
    const afterReset = await register(server, client('b'));
    expect(afterReset.status).toBe(201);
    const reference = await start({});
    try {
      expect(afterReset.json['client_id']).toBe((await register(reference, client('b'))).json['client_id']);
    } finally {
      await reference.close();
    }
  });

  it('leaves json-server and discovery alone', async () => {
    server = await start({ rateLimit: '1/1', clock: CLOCK });
    await register(server, client('a'));
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });
});
