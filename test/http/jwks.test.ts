import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rsa from '../../src/authorization/rsa.js';
import { KeySet } from '../../src/authorization/keys.js';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

// Counts derivations without changing them: the start and a registration must derive no key.
vi.mock('../../src/authorization/rsa.js', async (importOriginal) => {
  const original = await importOriginal<typeof rsa>();
  return { ...original, deriveRsaPrivateJwk: vi.fn(original.deriveRsaPrivateJwk) };
});
const derivations = () => vi.mocked(rsa.deriveRsaPrivateJwk).mock.calls.length;

describe('GET /.well-known/jwks.json', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ seed: 'jwks-http' });
  });
  afterAll(() => server.close());

  it('derives no key for a start and a registration', async () => {
    const reply = await register(server, { redirect_uris: ['https://app.example/cb'] });
    expect(reply.status).toBe(201);
    expect(derivations()).toBe(0);
  });

  it("serves the seed's public key, derived once on the first request", async () => {
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(derivations()).toBe(1);
    expect(body).toEqual(await new KeySet({ seed: 'jwks-http' }).jwks());
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', e: 'AQAB' });
    expect(body.keys[0]).not.toHaveProperty('d');
    expect(await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).toEqual(body);
    expect(derivations()).toBe(1);
  });
});
