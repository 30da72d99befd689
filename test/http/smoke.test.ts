import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

describe('POST /oidc/register (smoke)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it('answers 201 with an Auth0-shaped client', async () => {
    const res = await register(server, { client_name: 'My SPA', redirect_uris: ['http://localhost:5173/callback'] });
    expect(res.status).toBe(201);
    expect(res.json['client_id']).toMatch(/^tpc_[A-Za-z0-9]{32}$/);
    expect(res.json['client_secret']).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });
});
