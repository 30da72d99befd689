import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

describe('?__fail= with a "?" in its value (legal unencoded in a query)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it.each([
    ['rate_limited:client_name=/^a?b$/', 'b', 429],
    ['rate_limited:client_name=/^a?b$/', 'c', 201],
    ['rate_limited:client_name=?', 'what?', 429],
  ])('%s with client_name %s gets %i', async (spec, name, status) => {
    const url = `${server.registrationEndpoint}?__fail=${spec}`;
    const res = await register(
      { registrationEndpoint: url },
      { client_name: name, redirect_uris: ['https://a.example/cb'] },
    );
    expect(res.status, res.text).toBe(status);
  });
});
