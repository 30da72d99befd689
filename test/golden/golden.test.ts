import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import { Store } from '../../src/store/store.js';
import { storedClient } from '../support/records.js';
import { register, start, tempDir } from '../support/server.js';

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

describe('seeded tokens, byte for byte', () => {
  const REDIRECT = 'http://127.0.0.1:8765/callback';
  const VERIFIER = 'golden-verifier-golden-verifier-golden-verifier';

  it.each([
    { name: 'tokens-auth0', options: {} },
    { name: 'tokens-rfc9068', options: { tokenDialect: 'rfc9068', seed: 'ci' } },
  ])('$name: the JWKS, a code, the tokens of its exchange and of a refresh', async ({ name, options }) => {
    const server = await start({
      clock: CLOCK,
      issuer: 'https://tenant.example.com/',
      fixtures: [
        {
          client_id: 'golden-app',
          client_secret: 'golden-app-secret-00000000000000000000000000000000000000000000000',
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
      ...options,
    });
    try {
      const lines: string[] = [await (await fetch(`${server.url}/.well-known/jwks.json`)).text()];
      const query = new URLSearchParams({
        client_id: 'golden-app',
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid profile email offline_access read:items',
        audience: 'https://api.example.com/',
        nonce: 'n-1',
        state: 's-1',
        code_challenge: s256(VERIFIER),
        code_challenge_method: 'S256',
      });
      const redirect = await fetch(`${server.url}/authorize?${query}`, { redirect: 'manual' });
      const location = redirect.headers.get('location')!;
      lines.push(location);
      const token = async (params: Record<string, string>) => {
        const res = await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({
            client_id: 'golden-app',
            client_secret: 'golden-app-secret-00000000000000000000000000000000000000000000000',
            ...params,
          }),
        });
        expect(res.status).toBe(200);
        return res.text();
      };
      const exchanged = await token({
        grant_type: 'authorization_code',
        code: new URL(location).searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      });
      lines.push(exchanged);
      lines.push(await token({ grant_type: 'refresh_token', refresh_token: JSON.parse(exchanged).refresh_token }));
      await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot(`./__golden__/${name}.txt`);
    } finally {
      await server.close();
    }
  });
});

describe('the store of seeded registrations, byte for byte', () => {
  const dir = tempDir();

  it('db.json after the registrations and a stop', async () => {
    const db = join(dir, 'db.json');
    const server = await start({ clock: CLOCK, db });
    let issuer: string;
    try {
      issuer = server.issuer;
      for (const body of REQUESTS) expect((await register(server, body)).status).toBe(201);
    } finally {
      await server.close();
    }
    await expect(readFileSync(db, 'utf8').replaceAll(issuer, 'ISSUER/')).toMatchFileSnapshot(
      './__golden__/db-auth0.json',
    );
  });

  it('the journal lines of registrations, as written before the answer', async () => {
    const db = join(dir, 'journal.json');
    const store = await Store.open(db);
    try {
      for (const n of [1, 2, 3]) store.add(storedClient(n), n);
      // Read at once: the journal is folded into db.json only once the store has been idle.
      await expect(readFileSync(`${db}.journal`, 'utf8')).toMatchFileSnapshot('./__golden__/journal-clients.jsonl');
    } finally {
      await store.close();
    }
  });
});
