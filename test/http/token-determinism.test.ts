import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import { startCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const VERIFIER = 'v'.repeat(43);
const API = 'https://api.example.com/';
const ISSUER = 'http://issuer.test/';

/** The whole flow by hand: register, authorize, exchange the code, refresh. Returns every answer's body. */
async function flow(base: string) {
  const registered = await (
    await fetch(`${base}/oidc/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      }),
    })
  ).json();
  const clientId = registered.client_id as string;
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'offline_access read:items',
    audience: API,
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
    state: 'fixed',
  });
  const redirect = await fetch(`${base}/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
  const token = async (params: Record<string, string>) => {
    const res = await fetch(`${base}/oauth/token`, { method: 'POST', body: new URLSearchParams(params) });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Record<string, string>;
  };
  const exchanged = await token({
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  });
  const refreshed = await token({
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: exchanged['refresh_token']!,
  });
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
  return { clientId, code, exchanged, refreshed, jwks };
}

describe('seeded tokens', () => {
  it('are byte-identical across two processes with the same --seed and --clock, and verify against the JWKS', async () => {
    const args = ['--port', '0', '--db', ':memory:', '--quiet', '--seed', 'tokens', '--clock', '2026-01-01T00:00:00Z'];
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const cli = await startCli([...args, '--issuer', ISSUER]);
      try {
        runs.push(await flow(cli.url));
      } finally {
        await cli.stop();
      }
    }
    expect(runs[1]).toEqual(runs[0]);
    const [run] = runs;
    const { payload } = await jwtVerify(run!.exchanged['access_token']!, createLocalJWKSet(run!.jwks), {
      issuer: ISSUER,
      audience: API,
      currentDate: new Date('2026-01-01T00:00:00Z'),
    });
    expect(payload.iat).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
    expect(run!.refreshed['refresh_token']).not.toBe(run!.exchanged['refresh_token']);

    const other = await startCli([
      ...args.slice(0, -4),
      '--seed',
      'other',
      '--clock',
      '2026-01-01T00:00:00Z',
      '--issuer',
      ISSUER,
    ]);
    try {
      const changed = await flow(other.url);
      expect(changed.jwks).not.toEqual(run!.jwks);
      expect(changed.exchanged['access_token']).not.toBe(run!.exchanged['access_token']);
    } finally {
      await other.stop();
    }
  });

  it('a refresh token stays valid across a SIGKILL and a restart on the same db.json', async () => {
    const dir = tempDir();
    const db = join(dir, 'db.json');
    const args = ['--port', '0', '--db', db, '--quiet', '--seed', 'restart'];
    const first = await startCli(args);
    const { clientId, refreshed } = await flow(first.url);
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));

    const second = await startCli(args);
    try {
      const res = await fetch(`${second.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: clientId,
          refresh_token: refreshed['refresh_token']!,
        }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const body = (await res.json()) as Record<string, string>;
      expect(body['refresh_token']).toMatch(/^v1\./);
      // One family, carried over the kill: its first token, its rotation before the kill, and this one.
      const grants = await (await fetch(`${second.url}/__dcr/grants`)).json();
      expect(grants.refresh_tokens).toHaveLength(1);
      expect(grants.refresh_tokens[0]).toMatchObject({ client_id: clientId, generation: 3, revoked_at: null });
    } finally {
      await second.stop();
    }
  });
});
