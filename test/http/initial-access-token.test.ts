import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { register, start, tempDir } from '../support/server.js';

const body = { client_name: 'Protected', redirect_uris: ['https://app.example/cb'] };
const dir = tempDir();

describe('--initial-access-token', () => {
  let server: RunningServer;
  let open: RunningServer;
  beforeAll(async () => {
    const file = join(dir, 'tokens.txt');
    writeFileSync(file, '# CI tokens\n\nfrom-file-1\n  from-file-2  \n');
    server = await start({ initialAccessToken: ['iat-1', `@${file}`, 'iat-2,iat-3'] });
    open = await start({});
  });
  afterAll(async () => {
    await server.close();
    await open.close();
  });

  it.each<{ name: string; headers: Record<string, string>; status: number }>([
    { name: 'no Authorization', headers: {}, status: 401 },
    { name: 'a wrong token', headers: { authorization: 'Bearer iat-4' }, status: 401 },
    { name: 'a prefix of a token', headers: { authorization: 'Bearer iat-' }, status: 401 },
    { name: 'Basic instead of Bearer', headers: { authorization: 'Basic aWF0LTE=' }, status: 401 },
    { name: 'an empty Bearer', headers: { authorization: 'Bearer ' }, status: 401 },
    { name: 'the right token', headers: { authorization: 'Bearer iat-1' }, status: 201 },
    { name: 'the scheme in lower case', headers: { authorization: 'bearer iat-2' }, status: 201 },
    { name: 'a token from a comma list', headers: { authorization: 'Bearer iat-3' }, status: 201 },
    { name: 'a token from @FILE', headers: { authorization: 'Bearer from-file-2' }, status: 201 },
  ])('$name → $status', async ({ headers, status }) => {
    const before = server.store.sequence;
    const res = await register(server, body, headers);
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.json['error']).toBe('invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(server.store.sequence).toBe(before);
      expect(server.journal.list()[0]?.failure).toBe('limit:initial-access-token');
    } else {
      expect(server.store.sequence).toBe(before + 1);
    }
  });

  it('is checked before failure rules', async () => {
    const res = await register(server, body, { 'x-dcr-mock-fail': 'server_error' });
    expect(res.status).toBe(401);
  });

  it('discovery says nothing different', async () => {
    const doc = async (s: RunningServer) => {
      const json = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      return JSON.stringify(json).replaceAll(s.url, 'URL');
    };
    expect(await doc(server)).toBe(await doc(open));
  });

  it("works with oauth4webapi's initialAccessToken", async () => {
    const as = { issuer: server.issuer, registration_endpoint: server.registrationEndpoint };
    const options = { [oauth.allowInsecureRequests]: true } as const;
    const refused = await oauth.dynamicClientRegistrationRequest(as, body, options);
    await expect(oauth.processDynamicClientRegistrationResponse(refused)).rejects.toThrow();
    const res = await oauth.dynamicClientRegistrationRequest(as, body, {
      ...options,
      initialAccessToken: 'from-file-1',
    });
    const client = await oauth.processDynamicClientRegistrationResponse(res);
    expect(client.client_id).toMatch(/^tpc_/);
  });
});
