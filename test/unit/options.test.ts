import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { OPTIONS, flagName } from '../../src/options.js';

describe('the options table', () => {
  it('gives DEFAULTS, the same for the CLI and the API', () => {
    expect(DEFAULTS).toStrictEqual({
      port: 4000,
      host: '127.0.0.1',
      db: './db.json',
      seed: 'dcr-mock',
      profile: 'auth0',
      failures: [],
      latency: undefined,
      fixtures: [],
      issuer: undefined,
      clock: undefined,
      adminToken: undefined,
      quiet: false,
      log: 'text',
      ids: 'sequence',
      oidcRules: undefined,
      initialAccessToken: [],
      maxClients: undefined,
      rateLimit: undefined,
      softwareStatementKey: undefined,
      rotateRegistrationToken: false,
    });
    expect(Object.keys(DEFAULTS)).toEqual(OPTIONS.filter((o) => o.value).map((o) => o.name));
  });

  it('has a README row for each flag, and a flag for each README row', () => {
    expect(OPTIONS.filter((o) => o.readme).map((o) => o.name)).toEqual(
      OPTIONS.filter((o) => o.flag).map((o) => o.name),
    );
  });

  it('names each flag in kebab-case', () => {
    expect(['port', 'adminToken', 'initialAccessToken'].map((n) => flagName(n as 'port'))).toEqual([
      'port',
      'admin-token',
      'initial-access-token',
    ]);
  });
});
