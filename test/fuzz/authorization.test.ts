import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';
import { check, runs, timeoutFor } from './harness.js';

const RUNS = runs(60);
const REDIRECT = 'http://127.0.0.1:8765/callback';
const VERIFIER = 'f'.repeat(43);

let server: RunningServer;
let clientId: string;
beforeAll(async () => {
  server = await start({
    fixtures: [{ client_id: 'fuzz-app', client_secret: 's'.repeat(40), redirect_uris: [REDIRECT] }],
  });
  clientId = (await register(server, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).json[
    'client_id'
  ] as string;
});
afterAll(() => server.close());

/** What a 4xx must leave as it was: the clients, the refresh-token families, the codes waiting. */
function snapshot(): string {
  const { codes, refresh_tokens } = server.authorization.grants();
  return JSON.stringify([server.store.clients, refresh_tokens, codes.length]);
}

const PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'audience',
  'resource',
  'prompt',
  'login_hint',
  'nonce',
  'response_mode',
  'grant_type',
  'code',
  'code_verifier',
  'refresh_token',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  '__proto__',
  'constructor',
];
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    'code',
    'S256',
    'plain',
    'none',
    REDIRECT,
    'openid offline_access',
    'https://api.example.com/',
    '%',
    '%zz',
    '\u0000',
    'a'.repeat(300),
  ),
  fc.constant('CLIENT'),
);
const pairs = fc.array(fc.tuple(fc.constantFrom(...PARAMS), value), { maxLength: 10 });
const fill = (v: string) => (v === 'CLIENT' ? clientId : v);

describe('fuzzed authorization requests', () => {
  it(
    '/authorize: no 5xx, and an error changes nothing',
    async () => {
      await check(
        '/authorize query strings',
        fc.asyncProperty(pairs, fc.boolean(), async (list, withBase) => {
          const query = new URLSearchParams();
          if (withBase) {
            for (const [k, v] of Object.entries({
              client_id: clientId,
              redirect_uri: REDIRECT,
              response_type: 'code',
              code_challenge: s256(VERIFIER),
              code_challenge_method: 'S256',
            }))
              query.append(k, v);
          }
          for (const [k, v] of list) query.append(k, fill(v));
          const before = snapshot();
          const res = await fetch(`${server.url}/authorize?${query}`, { redirect: 'manual' });
          await res.arrayBuffer();
          expect(res.status, query.toString()).toBeLessThan(500);
          const location = res.headers.get('location');
          const success = res.status === 302 && location !== null && new URL(location).searchParams.has('code');
          if (!success) expect(snapshot(), query.toString()).toBe(before);
        }),
        RUNS,
      );
    },
    timeoutFor(RUNS),
  );

  it(
    '/oauth/token: form and JSON bodies, no 5xx, and a 4xx changes nothing',
    async () => {
      await check(
        '/oauth/token bodies',
        fc.asyncProperty(
          pairs,
          fc.constantFrom('form', 'json', 'raw'),
          fc.string({ maxLength: 60 }),
          async (list, encoding, raw) => {
            const fields = list.map(([k, v]) => [k, fill(v)] as const);
            const body =
              encoding === 'form'
                ? new URLSearchParams(fields.map(([k, v]) => [k, v])).toString()
                : encoding === 'json'
                  ? JSON.stringify(Object.fromEntries(fields))
                  : raw;
            const type = encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
            const before = snapshot();
            const res = await fetch(`${server.url}/oauth/token`, {
              method: 'POST',
              headers: { 'content-type': type },
              body,
            });
            await res.arrayBuffer();
            expect(res.status, body).toBeLessThan(500);
            if (res.status >= 400) expect(snapshot(), body).toBe(before);
          },
        ),
        RUNS,
      );
    },
    timeoutFor(RUNS),
  );
});
