import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/control/journal.js';
import { MODE_NAMES } from '../../src/failures/catalogue.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';
import { type HttpExchange, METADATA, bodyOf, postOverHttp } from '../support/wire.js';

// "Why did it fail?": the journal keeps each answer as its client got it, and the log line names the
// failure or the limit behind it.

/** Parameters that keep the slow modes short. */
const SPEC: Record<string, string> = { delay: 'delay:ms=5', timeout: 'timeout:ms=20', slow_body: 'slow_body:ms=10' };

/** Headers Node adds itself to every answer: the client sees them, dcr-mock never wrote them. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** The answer as the journal should show it: what the client received, its body parsed when it is JSON. */
function asJournaled(seen: HttpExchange): JournalEntry['response'] {
  if (seen.status === undefined) return { status: 0, headers: {}, body: '' };
  const headers = Object.fromEntries(
    Object.entries(seen.headers as IncomingHttpHeaders).filter(([name]) => !TRANSPORT.has(name)),
  ) as Record<string, string>;
  const text = bodyOf(seen);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: seen.status, headers, body };
}

/** A server whose log lines a test can await, one per request. */
async function logging(options: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  const server = await start(
    { quiet: false, ...options },
    {
      write: (line) => {
        const next = waiting.shift();
        if (next) next(line);
        else lines.push(line);
      },
    },
  );
  const nextLine = () =>
    lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise<string>((resolve) => waiting.push(resolve));
  return { server, nextLine };
}

describe('the journal and the log line of each registration failure mode', () => {
  let server: RunningServer;
  let nextLine: () => Promise<string>;
  beforeAll(async () => {
    ({ server, nextLine } = await logging());
  });
  afterAll(() => server.close());

  it.each(MODE_NAMES)('%s', async (mode) => {
    const seen = await postOverHttp(server.registrationEndpoint, METADATA, {
      headers: { 'x-dcr-mock-fail': SPEC[mode] ?? mode },
    });
    const line = await nextLine();
    const [entry] = server.journal.list(1);
    const status = seen.status ?? 0;
    expect(line).toMatch(new RegExp(`^POST /oidc/register ${status} \\d+\\.\\dms failure=${mode}\\n$`));
    expect(entry).toMatchObject({ status, failure: mode, body: METADATA });
    expect(entry?.response).toEqual(asJournaled(seen));
  });

  it('truncated: the half of the body that went out, under the head that announced the whole', async () => {
    const seen = await postOverHttp(server.registrationEndpoint, METADATA, {
      headers: { 'x-dcr-mock-fail': 'truncated' },
    });
    await nextLine();
    const response = server.journal.list(1)[0]?.response;
    expect(seen.complete).toBe(false);
    expect(response?.body).toBe(bodyOf(seen));
    expect(Number(response?.headers['content-length'])).toBeGreaterThan(bodyOf(seen).length);
  });

  it('a success: the credentials the client was given', async () => {
    const reply = await register(server, METADATA);
    await nextLine();
    const [entry] = server.journal.list(1);
    expect(entry?.response?.status).toBe(201);
    expect(entry?.response?.body).toEqual(reply.json);
    expect(entry?.response?.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
  });
});

describe('a limit that refuses', () => {
  it.each([
    {
      limit: 'limit:rate-limit',
      options: { rateLimit: '1/1', clock: '2026-01-01T00:00:00Z' },
      status: 429,
      headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' },
    },
    {
      limit: 'limit:initial-access-token',
      options: { initialAccessToken: 'iat' },
      status: 401,
      headers: { 'www-authenticate': expect.stringMatching(/^Bearer error="invalid_token"/) },
    },
    { limit: 'limit:max-clients', options: { maxClients: 1 }, status: 403, headers: {} },
  ])(
    '$limit is named in the log line and the journal keeps its answer',
    async ({ limit, options, status, headers }) => {
      const { server, nextLine } = await logging(options);
      try {
        const auth = { authorization: 'Bearer iat' };
        expect((await register(server, METADATA, auth)).status).toBe(201);
        expect(await nextLine()).not.toContain('failure=');
        const refused = await register(server, METADATA);
        expect(refused.status).toBe(status);
        expect(await nextLine()).toMatch(
          new RegExp(`^POST /oidc/register ${status} \\d+\\.\\dms failure=${limit}\\n$`),
        );
        const [entry] = server.journal.list(1);
        expect(entry).toMatchObject({ status, failure: limit });
        expect(entry?.response).toEqual({
          status,
          headers: expect.objectContaining(headers),
          body: refused.json,
        });
      } finally {
        await server.close();
      }
    },
  );
});

describe("json-server's answers", () => {
  let server: RunningServer;
  let nextLine: () => Promise<string>;
  beforeAll(async () => {
    ({ server, nextLine } = await logging());
  });
  afterAll(() => server.close());

  it('are journaled with their status, headers and body', async () => {
    const client = (await register(server, METADATA)).json;
    await nextLine();
    const res = await fetch(`${server.url}/clients/${client['client_id'] as string}`);
    expect(await res.json()).toMatchObject({ client_id: client['client_id'] });
    await nextLine();
    const [entry] = server.journal.list(1);
    expect(entry?.response).toEqual({
      status: 200,
      headers: expect.objectContaining({
        'content-type': res.headers.get('content-type'),
        'access-control-allow-origin': '*',
      }),
      body: expect.objectContaining({ client_id: client['client_id'], client_secret: client['client_secret'] }),
    });
  });

  it('keep the start of a long body, and say how long it was', async () => {
    for (let n = 0; n < 60; n++) {
      await register(server, { ...METADATA, client_name: `client ${n}` });
      await nextLine();
    }
    const res = await fetch(`${server.url}/clients`);
    const text = await res.text();
    await nextLine();
    expect(text.length).toBeGreaterThan(4 * 4096);
    const body = server.journal.list(1)[0]?.response?.body;
    expect(body).toBe(`${text.slice(0, 4096)}… (${Buffer.byteLength(text)} bytes)`);
  });

  it('a write the guard refuses: its 4xx, as dcr-mock wrote it', async () => {
    const res = await fetch(`${server.url}/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const body = await res.json();
    await nextLine();
    const [entry] = server.journal.list(1);
    expect(entry?.response).toMatchObject({ status: res.status, body });
  });
});
