import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REQUEST_RULES, MAX_RUNTIME_RULES, MAX_SPEC_LENGTH } from '../../src/failures/bounds.js';
import { FailSpecError, parseFailSpec } from '../../src/failures/spec.js';
import { startDcrMock } from '../../src/index.js';
import type { RunningServer } from '../../src/server.js';
import { controlPlane } from '../support/control.js';
import { register, start } from '../support/server.js';

/** Redirect URIs as long as a value is matched (2,048 characters after the cut), and a pattern that must try each start. */
const LONG_URIS = Array.from({ length: 30 }, (_, i) => `https://app.example/${i}/${'a'.repeat(2000)}`);
const SLOW = 'delay:ms=0,redirect_uri=/a*b/';
const CB = ['https://app.example/cb'];
const specs = (n: number, spec: string) => Array.from({ length: n }, () => spec).join(';');

let server: RunningServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** A registration refused for a bound: 400 invalid_request naming it, nothing stored, no rule counted. */
async function expectRefused(reply: Awaited<ReturnType<typeof register>>, description: RegExp) {
  expect(reply.status, reply.text).toBe(400);
  expect(reply.json['error']).toBe('invalid_request');
  expect(reply.json['error_description']).toMatch(description);
  expect(server.store.clients).toHaveLength(0);
  for (const rule of server.plan.list()) expect(rule).toMatchObject({ seen: 0, applied: 0 });
}

describe('what one request may bring', () => {
  it.each([
    {
      name: `${MAX_REQUEST_RULES + 1} rules in x-dcr-mock-fail`,
      header: specs(MAX_REQUEST_RULES + 1, 'server_error:client_name=nobody'),
      query: undefined,
      description: /^x-dcr-mock-fail and __fail must bring at most 20 rules together, got 21$/,
    },
    {
      name: '11 rules in the header and 10 in ?__fail=',
      header: specs(11, 'server_error:client_name=nobody'),
      query: specs(10, 'server_error:client_name=nobody'),
      description: /^x-dcr-mock-fail and __fail must bring at most 20 rules together, got 21$/,
    },
    {
      name: `an x-dcr-mock-fail of more than ${MAX_SPEC_LENGTH} characters`,
      header: specs(MAX_REQUEST_RULES, `server_error:client_name=${'x'.repeat(200)}`),
      query: undefined,
      description: /^x-dcr-mock-fail must be at most 4096 characters, got 4519$/,
    },
    {
      name: `a ?__fail= of more than ${MAX_SPEC_LENGTH} characters`,
      header: undefined,
      query: specs(MAX_REQUEST_RULES, `server_error:client_name=${'x'.repeat(200)}`),
      description: /^__fail must be at most 4096 characters, got 4519$/,
    },
  ])('$name: 400, before any rule is read', async ({ header, query, description }) => {
    const endpoint =
      query === undefined
        ? server
        : { registrationEndpoint: `${server.registrationEndpoint}?__fail=${encodeURIComponent(query)}` };
    const reply = await register(
      endpoint,
      { redirect_uris: CB },
      header === undefined ? {} : { 'x-dcr-mock-fail': header },
    );
    await expectRefused(reply, description);
  });

  it(`${MAX_REQUEST_RULES} rules, in exactly ${MAX_SPEC_LENGTH} characters, are applied`, async () => {
    // 19 rules that match nothing, their patterns padded to reach the length, then the one that fires.
    const last = 'rate_limited';
    const padding = MAX_SPEC_LENGTH - last.length - 19 * ('server_error:client_name='.length + 1);
    const pads = Array.from({ length: 19 }, (_, i) => Math.floor(padding / 19) + (i < padding % 19 ? 1 : 0));
    const header = [...pads.map((n) => `server_error:client_name=${'x'.repeat(n)}`), last].join(';');
    expect(header.length).toBe(MAX_SPEC_LENGTH);
    const reply = await register(server, { redirect_uris: CB }, { 'x-dcr-mock-fail': header });
    expect(reply.status, reply.text).toBe(429);
  });
});

describe('what matching may cost', () => {
  it('rules that would take too many steps on the values they match are refused, whatever their number', async () => {
    // 20 rules × 30 values × ~4.2 million ways each: ~2.5 × 10^9 steps, some seconds of a blocked event loop.
    const reply = await register(
      server,
      { redirect_uris: LONG_URIS },
      { 'x-dcr-mock-fail': specs(MAX_REQUEST_RULES, SLOW) },
    );
    await expectRefused(
      reply,
      /^the match conditions of the failure rules must take at most 30,000,000 steps on one request/,
    );
  });

  it('the bound counts run-time rules too, and refuses before counting any of them', async () => {
    const rule = server.plan.add(parseFailSpec('server_error:redirect_uri=/a*b/')[0]!);
    // 30 long values: ~1.3 × 10^8 steps.
    await expectRefused(await register(server, { redirect_uris: LONG_URIS }), /must take at most 30,000,000 steps/);
    // The same rule on short values is tested as usual: no "b", no match; then a match.
    expect((await register(server, { redirect_uris: ['https://app.example/cc'] })).status).toBe(201);
    expect(rule).toMatchObject({ seen: 0, applied: 0 });
    expect((await register(server, { redirect_uris: ['https://a.example/b'] })).status).toBe(500);
    expect(rule).toMatchObject({ seen: 1, applied: 1 });
  });

  it('a substring, or a pattern anchored with ^, on the same values is well within it', async () => {
    for (const spec of [
      'delay:ms=0,redirect_uri=zzz',
      'delay:ms=0,redirect_uri=/^https:\\/\\/app\\.example\\/\\d+\\//',
    ]) {
      const reply = await register(
        server,
        { redirect_uris: LONG_URIS },
        { 'x-dcr-mock-fail': specs(MAX_REQUEST_RULES, spec) },
      );
      expect(reply.status, reply.text).toBe(201);
    }
  });
});

describe('rules in force at run time', () => {
  const json = (body: unknown) => controlPlane(server.url).addRule(body);

  it(`at most ${MAX_RUNTIME_RULES}: a batch past it is refused whole, with a 400 naming the bound`, async () => {
    const refused = await json(Array.from({ length: MAX_RUNTIME_RULES + 1 }, () => 'rate_limited:client_name=x'));
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      error: 'invalid_request',
      error_description:
        'run-time failure rules must number at most 1000: 0 in force, 1001 more asked. Remove some first (DELETE /__dcr/failures/:id, or DELETE /__dcr/failures for all)',
    });
    expect(server.plan.list()).toHaveLength(0);

    expect((await json(specs(MAX_RUNTIME_RULES - 1, 'rate_limited:client_name=x'))).status).toBe(201);
    expect((await json('rate_limited:client_name=y')).status).toBe(201);
    const past = await json({ mode: 'rate_limited' });
    expect(past.status).toBe(400);
    expect(past.json['error_description']).toMatch(
      /^run-time failure rules must number at most 1000: 1000 in force, 1 more asked/,
    );
    expect(server.plan.list()).toHaveLength(MAX_RUNTIME_RULES);

    // Removing one makes room for one.
    expect(
      (await fetch(`${server.url}/__dcr/failures/${server.plan.list()[0]!.id}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await json({ mode: 'rate_limited' })).status).toBe(201);
  });

  it("the programmatic API's fail() throws a FailSpecError past the bound, and adds nothing", async () => {
    const mock = await startDcrMock({ port: 0, db: ':memory:' });
    try {
      mock.fail(specs(MAX_RUNTIME_RULES - 1, 'rate_limited:client_name=x'));
      expect(() => mock.fail('rate_limited:client_name=y;rate_limited:client_name=z')).toThrow(FailSpecError);
      expect(() => mock.fail('rate_limited:client_name=y;rate_limited:client_name=z')).toThrow(
        /at most 1000: 999 in force, 2 more asked/,
      );
      expect(mock.fail('rate_limited:client_name=y')).toHaveLength(1);
    } finally {
      await mock.close();
    }
  });
});
