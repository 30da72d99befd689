import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailSpecError, startDcrMock } from '../../src/index.js';
import { parseFailSpec } from '../../src/failures/spec.js';
import { controlPlane } from '../support/control.js';
import { startCli } from '../support/processes.js';
import { register, start, tempDir } from '../support/server.js';

/** A rule may name its endpoint, as `ENDPOINT:MODE[:key=value,…]` or the JSON key `endpoint`, in every channel. */
const METADATA = { client_name: 'Endpoints', redirect_uris: ['https://app.example.com/cb'] };
const dir = tempDir();

describe('rules that name their endpoint', () => {
  it('parse to the same rule as those that do not; registration is the default', () => {
    expect(parseFailSpec('registration:rate_limited:times=2')).toEqual(parseFailSpec('rate_limited:times=2'));
    expect(parseFailSpec('registration:reset')).toEqual([{ endpoint: 'registration', mode: 'reset' }]);
    expect(parseFailSpec('rate_limited:times=2')[0]).toMatchObject({ endpoint: 'registration' });
  });

  it.each([
    ['tokn:invalid_grant', /unknown mode "tokn"/],
    ['registration:invalid_grant', /unknown mode "invalid_grant"/],
    ['registration:', /unknown mode ""/],
  ])('%s is refused: %s', (spec, why) => {
    expect(() => parseFailSpec(spec)).toThrow(FailSpecError);
    expect(() => parseFailSpec(spec)).toThrow(why);
  });

  describe('in each channel', () => {
    let mock: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      mock = await start();
    });
    afterAll(() => mock.close());

    it('the x-dcr-mock-fail header and the __fail query parameter', async () => {
      const header = await register(mock, METADATA, { 'x-dcr-mock-fail': 'registration:status_200' });
      expect(header.status).toBe(200);
      const res = await fetch(`${mock.registrationEndpoint}?__fail=registration:server_error:status=503`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(METADATA),
      });
      expect(res.status).toBe(503);
    });

    it('the control plane, as a spec or with the JSON key; its view names no default endpoint', async () => {
      const control = controlPlane(mock.url);
      const added = await control.addRule({ endpoint: 'registration', mode: 'bad_gateway', times: 1 });
      expect(added.status).toBe(201);
      expect(added.json).not.toHaveProperty('endpoint');
      expect((await register(mock, METADATA)).status).toBe(502);
      expect((await control.addRule('registration:gateway_timeout:times=1')).status).toBe(201);
      expect((await register(mock, METADATA)).status).toBe(504);
      expect((await register(mock, METADATA)).status).toBe(201);
      const refused = await control.addRule({ endpoint: 'tokens', mode: 'invalid_grant' });
      expect(refused.status).toBe(400);
      expect(refused.json['error_description']).toMatch(
        /endpoint must be one of registration, authorize, token, revoke, userinfo, jwks, discovery, prm, mcp, got "tokens"/,
      );
    });
  });

  it('the programmatic API and a config file', async () => {
    const config = join(dir, 'endpoints.config.json');
    writeFileSync(config, JSON.stringify({ failures: [{ endpoint: 'registration', mode: 'server_error', times: 1 }] }));
    const mock = await startDcrMock({ port: 0, db: ':memory:', config });
    try {
      expect((await register(mock, METADATA)).status).toBe(500);
      mock.fail('registration:too_many_entities:times=1');
      expect((await register(mock, METADATA)).status).toBe(403);
      expect((await register(mock, METADATA)).status).toBe(201);
    } finally {
      await mock.close();
    }
  });

  it('the command line', async () => {
    const cli = await startCli([
      '--port',
      '0',
      '--db',
      ':memory:',
      '--quiet',
      '--fail',
      'registration:rate_limited:times=1',
    ]);
    try {
      expect((await register(cli, METADATA)).status).toBe(429);
      expect((await register(cli, METADATA)).status).toBe(201);
    } finally {
      await cli.stop();
    }
  });
});
