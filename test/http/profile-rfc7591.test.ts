import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { manage } from '../support/management.js';
import { register, start, tempDir } from '../support/server.js';

const CLOCK = '2026-03-01T12:00:00Z';
const ISSUED_AT = Date.parse(CLOCK) / 1000;
const CB = 'https://app.example/cb';

describe('profile rfc7591: registration', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ profile: 'rfc7591', clock: CLOCK });
  });
  afterAll(() => server.close());

  it('answers with RFC 7591 defaults, client_id_issued_at from the clock and RFC 7592 fields', async () => {
    const res = await register(server, { redirect_uris: [CB] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const id = res.json['client_id'] as string;
    expect(id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(res.json).toEqual({
      client_id: id,
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
      client_id_issued_at: ISSUED_AT,
      client_secret_expires_at: 0,
      redirect_uris: [CB],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      registration_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{48}$/),
      registration_client_uri: `${server.issuer}oidc/register/${id}`,
    });
  });

  it('echoes every registered metadata value, unfiltered', async () => {
    const metadata = {
      redirect_uris: ['com.example.app:/cb', 'http://127.0.0.1:8123/cb'],
      client_name: 'Echo',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      application_type: 'native',
      client_uri: 'https://app.example/',
      logo_uri: 'https://app.example/logo.png',
      tos_uri: 'https://app.example/tos',
      policy_uri: 'https://app.example/policy',
      jwks_uri: 'https://app.example/jwks.json',
      contacts: ['ops@app.example'],
      scope: 'openid profile',
      software_id: 'echo-app',
      software_version: '1.2.3',
      unknown_field: 'ignored',
    };
    const res = await register(server, metadata);
    expect(res.status).toBe(201);
    const { unknown_field: _ignored, ...registered } = metadata;
    expect(res.json).toMatchObject(registered);
    expect(res.json).not.toHaveProperty('unknown_field');
  });

  it('issues no secret to a public client', async () => {
    const res = await register(server, { redirect_uris: [CB], token_endpoint_auth_method: 'none' });
    expect(res.status).toBe(201);
    expect(res.json).not.toHaveProperty('client_secret');
    expect(res.json).not.toHaveProperty('client_secret_expires_at');
    expect(res.json['client_id_issued_at']).toBe(ISSUED_AT);
  });

  it('is accepted by oauth4webapi', async () => {
    const as = await oauth.processDiscoveryResponse(
      new URL(server.issuer),
      await oauth.discoveryRequest(new URL(server.issuer), { [oauth.allowInsecureRequests]: true }),
    );
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [CB] },
        { [oauth.allowInsecureRequests]: true },
      ),
    );
    expect(client['registration_client_uri']).toBe(`${server.issuer}oidc/register/${client.client_id}`);
  });
});

describe('profile rfc7591: RFC 7592 management', () => {
  const dir = tempDir();
  const db = join(dir, 'db.json');
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ profile: 'rfc7591', clock: CLOCK, db });
  });
  afterAll(() => server.close());

  async function registerWithOauth4webapi(metadata: Record<string, string | string[]>) {
    const as = { issuer: server.issuer, registration_endpoint: server.registrationEndpoint };
    const res = await oauth.dynamicClientRegistrationRequest(as, metadata, { [oauth.allowInsecureRequests]: true });
    return (await oauth.processDynamicClientRegistrationResponse(res)) as Record<string, unknown> & {
      client_id: string;
    };
  }

  it('register → read → update → read → delete → read gives 401', async () => {
    const registered = await registerWithOauth4webapi({
      client_name: 'Round trip',
      redirect_uris: [CB],
      scope: 'openid',
    });
    const uri = registered['registration_client_uri'] as string;
    const token = registered['registration_access_token'] as string;

    const read = await manage(uri, 'GET', token);
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.json).toEqual(registered);

    const { registration_access_token: _t, registration_client_uri: _u, client_secret: _s, ...sent } = registered;
    const update = { ...sent, client_name: 'Renamed', redirect_uris: ['https://app.example/other'], scope: undefined };
    const updated = await manage(uri, 'PUT', token, update);
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      client_id: registered.client_id,
      client_secret: registered['client_secret'],
      client_id_issued_at: ISSUED_AT,
      client_name: 'Renamed',
      redirect_uris: ['https://app.example/other'],
      registration_access_token: token,
      registration_client_uri: uri,
    });
    expect(updated.json).not.toHaveProperty('scope');

    const reread = await manage(uri, 'GET', token);
    expect(reread.status).toBe(200);
    expect(reread.json).toEqual(updated.json);

    const removed = await manage(uri, 'DELETE', token);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');

    const gone = await manage(uri, 'GET', token);
    expect(gone.status).toBe(401);
    expect(gone.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(server.store.get(registered.client_id)).toBeUndefined();
  });

  it.each([
    { when: 'while the registration is still in the journal', name: 'Durable', folded: false },
    { when: 'after the journal was folded into it', name: 'Folded', folded: true },
  ])('writes an update to db.json at once, $when', async ({ name, folded }) => {
    const registered = await registerWithOauth4webapi({ client_name: name, redirect_uris: [CB] });
    if (folded) await server.store.flush();
    const uri = registered['registration_client_uri'] as string;
    const token = registered['registration_access_token'] as string;
    await manage(uri, 'PUT', token, { client_id: registered.client_id, client_name: `${name} 2`, redirect_uris: [CB] });
    const onDisk = JSON.parse(readFileSync(db, 'utf8')) as { clients: Array<Record<string, unknown>> };
    expect(onDisk.clients.find((c) => c['client_id'] === registered.client_id)).toMatchObject({
      client_name: `${name} 2`,
    });
  });

  it('PUT: omitted fields are removed or take their defaults, the secret is kept', async () => {
    const registered = await registerWithOauth4webapi({
      client_name: 'Full',
      redirect_uris: [CB],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      contacts: ['a@app.example'],
    });
    const res = await manage(
      registered['registration_client_uri'] as string,
      'PUT',
      registered['registration_access_token'] as string,
      {
        client_id: registered.client_id,
        redirect_uris: [CB],
      },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      client_secret: registered['client_secret'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    for (const field of ['client_name', 'contacts']) expect(res.json).not.toHaveProperty(field);
  });

  it.each([
    {
      name: 'a changed client_id',
      body: (id: string) => ({ client_id: `${id}x`, redirect_uris: [CB] }),
      error: 'invalid_client_metadata',
      says: /^client_id must/,
    },
    {
      name: 'no client_id',
      body: () => ({ redirect_uris: [CB] }),
      error: 'invalid_client_metadata',
      says: /^client_id must/,
    },
    {
      name: 'a bad redirect URI',
      body: (id: string) => ({ client_id: id, redirect_uris: ['http://app.example/cb'] }),
      error: 'invalid_redirect_uri',
      says: /^redirect_uris\[0\] must use https/,
    },
    {
      name: 'no redirect_uris',
      body: (id: string) => ({ client_id: id }),
      error: 'invalid_redirect_uri',
      says: /^redirect_uris must/,
    },
    {
      name: 'a wrong type',
      body: (id: string) => ({ client_id: id, redirect_uris: [CB], contacts: 'x' }),
      error: 'invalid_client_metadata',
      says: /^contacts must/,
    },
    {
      name: 'a secret of its own',
      body: (id: string) => ({ client_id: id, redirect_uris: [CB], client_secret: 'mine' }),
      error: 'invalid_client_metadata',
      says: /^client_secret must/,
    },
    {
      name: 'a body that is not an object',
      body: () => ['x'],
      error: 'invalid_client_metadata',
      says: /^request body must/,
    },
  ])('PUT with $name → 400 $error, nothing changed', async ({ body, error, says }) => {
    const registered = await registerWithOauth4webapi({ client_name: 'Unchanged', redirect_uris: [CB] });
    const res = await manage(
      registered['registration_client_uri'] as string,
      'PUT',
      registered['registration_access_token'] as string,
      body(registered.client_id),
    );
    expect(res.status).toBe(400);
    expect(res.json?.['error']).toBe(error);
    expect(res.json?.['error_description']).toMatch(says);
    expect(server.store.get(registered.client_id)).toMatchObject({ client_name: 'Unchanged', redirect_uris: [CB] });
  });

  it('PUT accepts the issued secret and ignores the fields the server sets', async () => {
    const registered = await registerWithOauth4webapi({ client_name: 'Echo back', redirect_uris: [CB] });
    const res = await manage(
      registered['registration_client_uri'] as string,
      'PUT',
      registered['registration_access_token'] as string,
      {
        ...registered,
        client_id_issued_at: 1,
        registration_access_token: 'ignored',
      },
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual(registered);
  });

  it.each([
    { name: 'no token', token: () => undefined },
    { name: 'a wrong token', token: () => 'wrong' },
    { name: "another client's token", token: (other: string) => other },
  ])('$name → 401 invalid_token on GET, PUT and DELETE', async ({ token }) => {
    const mine = await registerWithOauth4webapi({ redirect_uris: [CB] });
    const other = await registerWithOauth4webapi({ redirect_uris: [CB] });
    const uri = mine['registration_client_uri'] as string;
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await manage(
        uri,
        method,
        token(other['registration_access_token'] as string),
        method === 'PUT' ? { client_id: mine.client_id, redirect_uris: [CB] } : undefined,
      );
      expect(res.status, method).toBe(401);
      expect(res.json?.['error']).toBe('invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
    expect(server.store.get(mine.client_id)).toBeDefined();
  });

  it('an unknown client → 401, as a wrong token', async () => {
    const res = await manage(`${server.registrationEndpoint}/nosuchclient`, 'GET', 'whatever');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('other methods → 405 with Allow', async () => {
    const registered = await registerWithOauth4webapi({ redirect_uris: [CB] });
    const res = await manage(
      registered['registration_client_uri'] as string,
      'PATCH',
      registered['registration_access_token'] as string,
      {},
    );
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT, DELETE');
  });
});

describe('profile rfc7591: --rotate-registration-token', () => {
  it('each use returns a new token and voids the old one; the chain is the same on every run', async () => {
    const chains: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const server = await start({ profile: 'rfc7591', rotateRegistrationToken: true });
      try {
        const registered = (await register(server, { redirect_uris: [CB] })).json;
        const uri = registered['registration_client_uri'] as string;
        const tokens = [registered['registration_access_token'] as string];
        const read = await manage(uri, 'GET', tokens[0]);
        expect(read.status).toBe(200);
        tokens.push(read.json?.['registration_access_token'] as string);
        expect(tokens[1]).not.toBe(tokens[0]);
        expect((await manage(uri, 'GET', tokens[0])).status).toBe(401);
        const updated = await manage(uri, 'PUT', tokens[1], {
          client_id: registered['client_id'],
          redirect_uris: [CB],
        });
        expect(updated.status).toBe(200);
        tokens.push(updated.json?.['registration_access_token'] as string);
        expect(new Set(tokens).size).toBe(3);
        expect((await manage(uri, 'DELETE', tokens[1])).status).toBe(401);
        expect((await manage(uri, 'DELETE', tokens[2])).status).toBe(204);
        chains.push(tokens);
      } finally {
        await server.close();
      }
    }
    expect(chains[1]).toEqual(chains[0]);
  });
});

describe('management routes exist only in rfc7591', () => {
  it.each(['auth0', 'auth0-permissive'])(
    '%s: /oidc/register/:client_id → 404, no registration_access_token',
    async (profile) => {
      const server = await start({ profile });
      try {
        const res = await register(server, { redirect_uris: [CB] });
        expect(res.status).toBe(201);
        expect(res.json).not.toHaveProperty('registration_access_token');
        expect(res.json).not.toHaveProperty('registration_client_uri');
        expect(res.json).not.toHaveProperty('client_id_issued_at');
        for (const method of ['GET', 'PUT', 'DELETE'] as const) {
          const answer = await manage(
            `${server.registrationEndpoint}/${res.json['client_id'] as string}`,
            method,
            'x',
            method === 'PUT' ? {} : undefined,
          );
          expect(answer.status, method).toBe(404);
        }
        expect(server.store.clients).toHaveLength(1);
      } finally {
        await server.close();
      }
    },
  );
});
