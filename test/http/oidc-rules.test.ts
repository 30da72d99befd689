import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

type Row = { type?: string; uris: string[]; response_types?: string[]; bad?: string };

/** `bad`: the start of the error_description when refused (invalid_redirect_uri); absent when accepted. */
const ROWS: Row[] = [
  { uris: ['https://app.example/cb'] },
  { uris: ['http://localhost/cb', 'http://localhost:3000/cb', 'http://127.0.0.1:51004/cb', 'http://[::1]:8080/cb'] },
  {
    uris: ['https://app.example/cb', 'http://app.example/cb'],
    bad: 'redirect_uris[1] must use https (or http on a loopback host',
  },
  { uris: ['com.example.app:/cb'], bad: 'redirect_uris[0] must use https' },
  { uris: ['http://127.0.0.2/cb'], bad: 'redirect_uris[0] must use https' },
  { type: 'web', uris: ['https://localhost/cb'] },
  {
    type: 'web',
    uris: ['https://app.example/cb', 'https://localhost/cb'],
    response_types: ['id_token token'],
    bad: 'redirect_uris[1] must use https and a host other than localhost',
  },
  {
    type: 'web',
    uris: ['http://localhost/cb'],
    response_types: ['id_token'],
    bad: 'redirect_uris[0] must use https and a host other than localhost',
  },
  { type: 'native', uris: ['com.example.app:/oauth2redirect', 'myapp://cb'] },
  { type: 'native', uris: ['http://localhost:8765/cb', 'http://127.0.0.1:1/cb', 'http://[::1]:65535/cb'] },
  { type: 'native', uris: ['https://app.example/cb'] },
  {
    type: 'native',
    uris: ['myapp://cb', 'http://app.example/cb'],
    bad: 'redirect_uris[1] must use a custom scheme, https, or http on a loopback host',
  },
];

const label = (r: Row) =>
  `${r.type ?? '(web)'} ${r.uris.join(' ')}${r.response_types ? ` ${r.response_types.join(',')}` : ''}`;
const CASES = ROWS.map((r) => ({ ...r, label: label(r) }));

const body = ({ type, uris, response_types }: Row) => ({
  redirect_uris: uris,
  ...(type ? { application_type: type } : {}),
  ...(response_types ? { response_types } : {}),
});

describe.each([
  { setup: 'rfc7591 (on by default)', options: { profile: 'rfc7591' } },
  { setup: 'auth0 --oidc-rules', options: { oidcRules: true } },
])('OIDC Registration rules: $setup', ({ options }) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start(options);
  });
  afterAll(() => server.close());

  it.each(CASES)('$label', async (row) => {
    const res = await register(server, body(row));
    if (row.bad === undefined) {
      expect(res.status, res.text).toBe(201);
    } else {
      expect(res.status).toBe(400);
      expect(res.json['error']).toBe('invalid_redirect_uri');
      expect(res.json['error_description']).toContain(row.bad);
    }
  });

  it('refuses an application_type other than web or native', async () => {
    const res = await register(server, { redirect_uris: ['https://app.example/cb'], application_type: 'service' });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('invalid_client_metadata');
  });
});

describe.each([
  { setup: 'auth0 (off by default)', options: {} },
  { setup: 'rfc7591 --no-oidc-rules', options: { profile: 'rfc7591', oidcRules: false } },
])('OIDC Registration rules off: $setup', ({ options }) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start(options);
  });
  afterAll(() => server.close());

  it.each(CASES.filter((r) => r.bad !== undefined))('accepts $label', async (row) => {
    const res = await register(server, body(row));
    expect(res.status, res.text).toBe(201);
  });

  it('the auth0 answer keeps its shape', async () => {
    const res = await register(server, { redirect_uris: ['https://app.example/cb'], application_type: 'native' });
    expect(res.status).toBe(201);
    if (!('profile' in options)) expect(Object.keys(res.json)).not.toContain('application_type');
  });
});
