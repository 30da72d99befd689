import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MODE_NAMES } from '../../src/failures/catalogue.js';
import type { RunningServer } from '../../src/server.js';
import { expectNothingStored, freshIds, newestEntry } from '../support/failure-checks.js';
import { register, start } from '../support/server.js';
import { METADATA, bodyOf, postOverHttp, postOverSocket } from '../support/wire.js';

// What a client observes for each failure mode, asked for per request with x-dcr-mock-fail.
const SEED = 'failure-modes';
const CLOCK = '2026-01-01T00:00:00.000Z';
const NOW_S = Date.parse(CLOCK) / 1000;

interface HttpCase {
  spec: string;
  status: number;
  /** The OAuth error code of an RFC-style `{error, error_description}` body. */
  error?: string;
  /** The exact JSON body, for Auth0's own shapes. */
  body?: Record<string, unknown>;
  /** A proxy's HTML page, whose title names the status. */
  html?: string;
  headers?: Record<string, string | RegExp>;
}

const rateLimitHeaders = (retryAfter: number) => ({
  'x-ratelimit-limit': '5',
  'x-ratelimit-remaining': '0',
  'x-ratelimit-reset': String(NOW_S + retryAfter),
  'retry-after': String(retryAfter),
});

const HTTP_CASES: HttpCase[] = [
  { spec: 'invalid_redirect_uri', status: 400, error: 'invalid_redirect_uri' },
  { spec: 'invalid_client_metadata', status: 400, error: 'invalid_client_metadata' },
  { spec: 'invalid_software_statement', status: 400, error: 'invalid_software_statement' },
  { spec: 'unapproved_software_statement', status: 400, error: 'unapproved_software_statement' },
  {
    spec: 'registration_disabled',
    status: 400,
    body: { statusCode: 400, error: 'Bad Request', message: 'dynamic client registration is disabled' },
  },
  {
    spec: 'too_many_entities',
    status: 403,
    body: {
      statusCode: 403,
      error: 'Forbidden',
      message: 'You reached the limit of entities of this type for this tenant.',
      errorCode: 'too_many_entities',
    },
  },
  { spec: 'rate_limited', status: 429, error: 'too_many_requests', headers: rateLimitHeaders(1) },
  { spec: 'rate_limited:retry_after=30', status: 429, error: 'too_many_requests', headers: rateLimitHeaders(30) },
  {
    spec: 'invalid_token',
    status: 401,
    error: 'invalid_token',
    headers: { 'www-authenticate': /^Bearer error="invalid_token"/ },
  },
  { spec: 'server_error', status: 500, error: 'server_error' },
  { spec: 'server_error:status=599', status: 599, error: 'server_error' },
  { spec: 'invalid_client_metadata:status=422', status: 422, error: 'invalid_client_metadata' },
  { spec: 'bad_gateway', status: 502, html: '502 Bad Gateway' },
  { spec: 'service_unavailable', status: 503, error: 'temporarily_unavailable', headers: { 'retry-after': '1' } },
  {
    spec: 'service_unavailable:retry_after=120',
    status: 503,
    error: 'temporarily_unavailable',
    headers: { 'retry-after': '120' },
  },
  { spec: 'gateway_timeout', status: 504, html: '504 Gateway Time-out' },
];

const modeOf = (spec: string) => spec.split(/[:;]/)[0]!;
// Tested one by one further down.
const BAD_SUCCESS_MODES = ['malformed_json', 'missing_client_id', 'status_200', 'wrong_content_type'];
const NETWORK_MODES = ['reset', 'empty_response', 'truncated', 'slow_body', 'timeout', 'delay'];

describe('failure modes, as a client sees them', () => {
  let server: RunningServer;
  let firstId: string;
  const failing = (spec: string) => ({ 'x-dcr-mock-fail': spec });

  beforeAll(async () => {
    [firstId] = (await freshIds(1, { seed: SEED })) as [string];
    server = await start({ seed: SEED, clock: CLOCK });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('has a test below for every mode in the catalogue', () => {
    const covered = new Set([...HTTP_CASES.map((c) => modeOf(c.spec)), ...BAD_SUCCESS_MODES, ...NETWORK_MODES]);
    expect([...covered].sort()).toEqual([...MODE_NAMES].sort());
  });

  describe('HTTP errors', () => {
    it.each(HTTP_CASES)('$spec → $status', async ({ spec, status, error, body, html, headers = {} }) => {
      const res = await register(server, METADATA, failing(spec));

      expect(res.status).toBe(status);
      expect(res.headers.get('x-dcr-mock-failure')).toBe(modeOf(spec));
      for (const [name, value] of Object.entries(headers)) {
        if (typeof value === 'string') expect(res.headers.get(name), name).toBe(value);
        else expect(res.headers.get(name), name).toMatch(value);
      }
      if (html) {
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.text).toContain(`<title>${html}</title>`);
        expect(res.json).toBeUndefined();
      } else {
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        if (body) expect(res.json).toEqual(body);
        else expect(res.json).toEqual({ error, error_description: expect.stringMatching(/\S/) });
      }
      expect(await newestEntry(server)).toMatchObject({ status, failure: modeOf(spec), path: '/oidc/register' });
      await expectNothingStored(server, firstId);
    });

    it('rate_limited reports X-RateLimit-Reset as unix seconds from the real clock by default', async () => {
      const live = await start({ seed: SEED });
      try {
        const before = Math.floor(Date.now() / 1000);
        const res = await register(live, METADATA, failing('rate_limited'));
        const after = Math.ceil(Date.now() / 1000);
        const reset = Number(res.headers.get('x-ratelimit-reset'));
        expect(Number.isInteger(reset)).toBe(true);
        expect(reset).toBeGreaterThanOrEqual(before + 1);
        expect(reset).toBeLessThanOrEqual(after + 1);
      } finally {
        await live.close();
      }
    });
  });

  describe('successes a careful client must reject', () => {
    it('malformed_json: 201 whose body does not parse', async () => {
      const res = await register(server, METADATA, failing('malformed_json'));
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.text).toMatch(/^\{"/);
      expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
      await expectNothingStored(server, firstId);
    });

    it('missing_client_id: 201 with everything but client_id', async () => {
      const res = await register(server, METADATA, failing('missing_client_id'));
      expect(res.status).toBe(201);
      expect(res.json).not.toHaveProperty('client_id');
      expect(res.json).toMatchObject({ client_name: METADATA.client_name, redirect_uris: METADATA.redirect_uris });
      expect(res.json['client_secret']).toMatch(/^[A-Za-z0-9_-]{64}$/);
      await expectNothingStored(server, firstId);
    });

    it('status_200: 200 with a whole client', async () => {
      const res = await register(server, METADATA, failing('status_200'));
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        client_id: firstId,
        client_secret_expires_at: 0,
        redirect_uris: METADATA.redirect_uris,
      });
      expect(res.json['client_secret']).toMatch(/^[A-Za-z0-9_-]{64}$/);
      await expectNothingStored(server, firstId);
    });

    it('wrong_content_type: 201 labelled text/html around a JSON client', async () => {
      const res = await register(server, METADATA, failing('wrong_content_type'));
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.json).toMatchObject({ client_id: firstId });
      await expectNothingStored(server, firstId);
    });
  });

  describe('network faults', () => {
    it('reset: the client sees ECONNRESET and no response', async () => {
      const seen = await postOverHttp(server.registrationEndpoint, METADATA, { headers: failing('reset') });
      expect(seen.status).toBeUndefined();
      expect(seen.error?.code).toBe('ECONNRESET');

      const raw = await postOverSocket(server.registrationEndpoint, METADATA, failing('reset'));
      expect(raw).toMatchObject({ outcome: 'error', code: 'ECONNRESET' });
      expect(raw.received).toHaveLength(0);
      expect(await newestEntry(server, 2)).toMatchObject({ status: 0, failure: 'reset' });
      await expectNothingStored(server, firstId);
    });

    it('empty_response: the connection closes in order without one byte', async () => {
      const raw = await postOverSocket(server.registrationEndpoint, METADATA, failing('empty_response'));
      expect(raw.outcome).toBe('end');
      expect(raw.received).toHaveLength(0);

      const seen = await postOverHttp(server.registrationEndpoint, METADATA, { headers: failing('empty_response') });
      expect(seen.status).toBeUndefined();
      expect(seen.error?.message).toBe('socket hang up');

      await expect(register(server, METADATA, failing('empty_response'))).rejects.toMatchObject({
        cause: { code: 'UND_ERR_SOCKET' },
      });
      expect(await newestEntry(server, 3)).toMatchObject({ status: 0, failure: 'empty_response' });
      await expectNothingStored(server, firstId);
    });

    it('truncated: headers announce more body than arrives, then the connection closes', async () => {
      const seen = await postOverHttp(server.registrationEndpoint, METADATA, { headers: failing('truncated') });
      expect(seen.status).toBe(201);
      const announced = Number(seen.headers?.['content-length']);
      const arrived = Buffer.concat(seen.chunks).length;
      expect(arrived).toBeGreaterThan(0);
      expect(announced).toBeGreaterThan(arrived);
      expect(seen.complete).toBe(false);
      expect(seen.error?.code).toBe('ECONNRESET');
      expect(bodyOf(seen)).toMatch(/^\{"/);
      await expectNothingStored(server, firstId);
    });

    it('slow_body: the headers come first, then the body in several separate chunks; the client is stored', async () => {
      const seen = await postOverHttp(server.registrationEndpoint, METADATA, { headers: failing('slow_body:ms=400') });
      expect(seen.status).toBe(201);
      expect(seen.chunksBeforeHeaders).toBe(0);
      expect(seen.chunks.length).toBeGreaterThanOrEqual(4);
      expect(seen.complete).toBe(true);
      expect(JSON.parse(bodyOf(seen))).toMatchObject({ client_id: firstId });
      expect(server.store.clients.map((c) => c.client_id)).toEqual([firstId]);
      expect(server.store.sequence).toBe(1);
    });

    it('timeout: no answer; the client gives up, the server lets go and keeps serving', async () => {
      const seen = await postOverHttp(server.registrationEndpoint, METADATA, {
        headers: failing('timeout'),
        signal: AbortSignal.timeout(200),
      });
      expect(seen.status).toBeUndefined();
      expect(seen.error?.name).toBe('AbortError');
      expect(seen.chunks).toHaveLength(0);
      // The journal entry is written when the server side of the exchange closes.
      expect(await newestEntry(server)).toMatchObject({ status: 0, failure: 'timeout' });
      await expectNothingStored(server, firstId);
    });

    it('timeout:ms caps the hold: the server closes a connection the client keeps waiting on', async () => {
      const seen = await postOverHttp(server.registrationEndpoint, METADATA, { headers: failing('timeout:ms=300') });
      expect(seen.status).toBeUndefined();
      expect(seen.error).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
      expect(await newestEntry(server)).toMatchObject({ status: 0, failure: 'timeout' });
      await expectNothingStored(server, firstId);
    });

    it('delay adds to another mode: both are applied and journaled', async () => {
      const res = await register(server, METADATA, failing('delay:ms=150;server_error'));
      expect(res.status).toBe(500);
      expect(res.json['error']).toBe('server_error');
      const entry = await newestEntry(server);
      expect(entry.failure).toBe('delay+server_error');
      // A lower bound only: a timer never fires early (10 ms allowed for clock granularity).
      expect(entry.ms).toBeGreaterThanOrEqual(140);
      await expectNothingStored(server, firstId);
    });

    it('delay alone: the registration succeeds late, and is stored', async () => {
      const res = await register(server, METADATA, failing('delay:ms=150'));
      expect(res.status).toBe(201);
      expect(res.json['client_id']).toBe(firstId);
      expect(await newestEntry(server)).toMatchObject({ status: 201, failure: 'delay' });
      expect(server.store.clients.map((c) => c.client_id)).toEqual([firstId]);
      expect(server.store.sequence).toBe(1);
    });
  });
});
