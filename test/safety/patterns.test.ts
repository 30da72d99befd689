import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/failures/pattern.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

// Each of these takes a backtracking engine seconds (or far longer) on a short value.
const DANGEROUS = [
  '/(a+)+$/',
  '/^(a+)+$/',
  '/(a*)*b/',
  '/(a|a)*$/',
  '/(a|ab)*c/',
  '/(?:a|b|ab)+$/',
  '/(\\w+\\s?)*$/',
  '/^(\\w+\\s?)*$/i',
  '/(.*a){12}/',
  '/(a?){25}a{25}/',
  '/(x+x+)+y/',
  '/(?=(a+)+)b/',
  '/((a+)?)+b/',
  '/(\\d+|\\w+)*!/',
  '/a*a*a*b/',
  '/\\s*\\s*\\s*\\s*x/',
  '/x.*y.*z/',
  '/^.*a.*b.*c/',
  `/^${'a?'.repeat(30)}${'a'.repeat(30)}$/`,
  `/^${'(a|a)'.repeat(20)}b/`,
  '/(a)\\1/',
  '/(?<x>a)\\k<x>/',
  '/(a{1,40}){1,40}b/',
  '/^(a|b|c)+$/m',
];

// Patterns people write for names, URIs and headers: accepted.
const SAFE = [
  'ci-',
  '/^ci-/',
  '/retry$/i',
  '/^test-\\d+$/',
  '/a.c/',
  '/ci-\\d+/',
  '/^https:\\/\\/app\\.example\\.com\\//',
  '/^https?:\\/\\/localhost(:\\d+)?\\/callback$/',
  '/^https:\\/\\/.*\\.example\\.com\\/.*$/',
  '/localhost:\\d+/',
  '/^[a-z]+-[0-9]{1,3}$/',
  '/^(?:foo|bar)-\\w+$/',
  '/(?:ab)+/',
  '/^(?!prod-)/',
  '/^\\p{L}+$/u',
  '/[(+*]/',
  '/a{,3}/',
];

const TIMED_VALUES = ['a'.repeat(40), `${'a'.repeat(40)}!`, 'a'.repeat(2048), `${'ab'.repeat(1024)}!`];

describe('compilePattern', () => {
  it.each(DANGEROUS)('refuses %s', (source) => {
    const result = compilePattern(source);
    expect(typeof result).toBe('string');
    expect(result).toMatch(/could backtrack without end/);
  });

  it.each(SAFE)('accepts %s', (source) => {
    const result = compilePattern(source);
    expect(typeof result, String(result)).toBe('object');
    // Accepted patterns answer at all on hostile values (a hang here is a test timeout).
    if (typeof result === 'object') for (const value of TIMED_VALUES) result.test(value);
  });

  it.each(['/(/', '/a{2,1}/', '/[b-a]/', '/\\p{Nope}/u', '/(?<n>a)(?<n>b)/'])('refuses the invalid %s', (source) => {
    expect(compilePattern(source)).toMatch(/is not a valid regular expression/);
  });

  it('cuts values before matching, so a long value costs no more than a 2048-character one', () => {
    const p = compilePattern('/^a{2048}$/');
    expect(typeof p).toBe('object');
    if (typeof p === 'object') expect(p.test('a'.repeat(5000))).toBe(true);
  });
});

describe('a refused or invalid pattern, when a rule is set', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());
  afterEach(() => server.plan.clearRuntime());

  const patterns = ['/(a+)+$/', '/(a|a)*/', '/a*a*a*b/', '/(a)\\1/', '/(/'];

  it.each(patterns)('POST /__dcr/failures with client_name=%s gets 400 and adds no rule', async (pattern) => {
    const res = await fetch(`${server.url}/__dcr/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'server_error', match: { client_name: pattern } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    expect(server.plan.list()).toHaveLength(0);
  });

  it.each(patterns)(
    'the x-dcr-mock-fail header with client_name=%s gets 400 and registers nothing',
    async (pattern) => {
      const before = server.store.sequence;
      const res = await register(
        server,
        { client_name: 'a'.repeat(40), redirect_uris: ['https://app.example.com/cb'] },
        { 'x-dcr-mock-fail': `server_error:client_name=${pattern}` },
      );
      expect(res.status).toBe(400);
      expect(server.store.sequence).toBe(before);
    },
  );

  it('?__fail= with a header pattern that repeats a repeat gets 400', async () => {
    const spec = encodeURIComponent('server_error:header=x-case:/(a+)+$/');
    const res = await fetch(`${server.registrationEndpoint}?__fail=${spec}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-case': `${'a'.repeat(40)}!` },
      body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] }),
    });
    expect(res.status).toBe(400);
  });

  it('a safe pattern is set and applied', async () => {
    const res = await register(
      server,
      { client_name: 'ci-42', redirect_uris: ['https://app.example.com/cb'] },
      { 'x-dcr-mock-fail': 'rate_limited:client_name=/^ci-\\d+$/' },
    );
    expect(res.status).toBe(429);
  });
});
