import { describe, expect, it } from 'vitest';
import { register, start } from '../support/server.js';

/**
 * Seeded output is part of the contract: these files hold the exact bytes that a given seed, clock and
 * sequence of requests produce today. A change that alters any of them is a decision (update the file
 * with `npx vitest run test/golden -u` and say so), never a side effect.
 */
const CLOCK = '2026-01-01T00:00:00Z';
const REQUESTS = [
  { client_name: 'Web app', redirect_uris: ['http://localhost:3000/callback'] },
  { client_name: 'SPA', redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none' },
  { redirect_uris: ['http://127.0.0.1:8080/cb'], grant_types: ['authorization_code', 'refresh_token'] },
  {
    client_name: 'Basic',
    redirect_uris: ['https://b.example.com/cb'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  { client_name: 'Web app', redirect_uris: ['http://localhost:3000/callback'] },
];

const CASES: ReadonlyArray<{ name: string; options: Record<string, unknown> }> = [
  { name: 'auth0', options: {} },
  { name: 'auth0-seed-42', options: { seed: 42 } },
  { name: 'auth0-permissive', options: { profile: 'auth0-permissive' } },
  { name: 'rfc7591', options: { profile: 'rfc7591' } },
  { name: 'auth0-ids-content', options: { ids: 'content' } },
  { name: 'rfc7591-ids-content', options: { profile: 'rfc7591', ids: 'content', seed: 'ci' } },
];

describe('seeded registrations, byte for byte', () => {
  it.each(CASES)('$name', async ({ name, options }) => {
    const server = await start({ clock: CLOCK, ...options });
    try {
      const bodies: string[] = [];
      for (const body of REQUESTS) {
        const res = await register(server, body);
        expect(res.status, res.text).toBe(201);
        // The issuer holds the port, which changes from run to run; nothing else may.
        bodies.push(res.text.replaceAll(server.issuer, 'ISSUER/'));
      }
      await expect(`${bodies.join('\n')}\n`).toMatchFileSnapshot(`./__golden__/${name}.jsonl`);
    } finally {
      await server.close();
    }
  });
});
