import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveConfig } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';
import { runMain } from '../support/main.js';
import { startCli } from '../support/processes.js';
import { register, tempDir } from '../support/server.js';

const dir = tempDir();
const empty = join(dir, 'empty.txt');
writeFileSync(empty, '# nothing\n\n');

describe('profile and limit options: bad values stop with one line and exit code 2', () => {
  it.each([
    { args: ['--ids', 'random'], says: /--ids must be one of sequence, content, got "random"/ },
    { args: ['--max-clients', '-1'], says: /--max-clients must be a whole number/ },
    { args: ['--max-clients', 'ten'], says: /--max-clients must be a whole number/ },
    { args: ['--rate-limit', '0'], says: /--rate-limit must be R\[\/BURST\]/ },
    { args: ['--rate-limit', 'auth1'], says: /--rate-limit must be R\[\/BURST\]/ },
    { args: ['--initial-access-token', 'semi;colon'], says: /--initial-access-token must be a Bearer token/ },
    { args: ['--initial-access-token', 'bad"quote'], says: /--initial-access-token must be a Bearer token/ },
    {
      args: ['--initial-access-token', '@/nonexistent/tokens.txt'],
      says: /cannot read \/nonexistent\/tokens\.txt \(ENOENT\)/,
    },
    { args: ['--initial-access-token', `@${empty}`], says: /holds no token/ },
    { args: ['--software-statement-key', '/nonexistent/key.pem'], says: /--software-statement-key cannot read/ },
  ])('$args', async ({ args, says }) => {
    const { code, stderr } = await runMain(['--port', '0', '--db', ':memory:', ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(says);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.each<{ env: Record<string, string>; says: RegExp }>([
    { env: { DCR_MOCK_MAX_CLIENTS: 'x' }, says: /DCR_MOCK_MAX_CLIENTS must be a whole number/ },
    { env: { DCR_MOCK_RATE_LIMIT: '5/0' }, says: /DCR_MOCK_RATE_LIMIT must be R\[\/BURST\]/ },
    { env: { DCR_MOCK_IDS: 'uuid' }, says: /DCR_MOCK_IDS must be one of/ },
    { env: { DCR_MOCK_INITIAL_ACCESS_TOKEN: '@/nonexistent' }, says: /DCR_MOCK_INITIAL_ACCESS_TOKEN @\/nonexistent/ },
  ])('$env', async ({ env, says }) => {
    const { code, stderr } = await runMain(['--port', '0', '--db', ':memory:'], { env });
    expect(code).toBe(2);
    expect(stderr).toMatch(says);
    expect(stderr).toMatch(/\. Fix or unset DCR_MOCK_\w+\.\n$/);
  });
});

describe('profile and limit options are read from DCR_MOCK_* variables', () => {
  it('profile, initial access tokens and the client limit', async () => {
    const cli = await startCli(['--port', '0', '--db', ':memory:', '--quiet'], {
      env: {
        DCR_MOCK_PROFILE: 'rfc7591',
        DCR_MOCK_INITIAL_ACCESS_TOKEN: 'one,two',
        DCR_MOCK_MAX_CLIENTS: '1',
        DCR_MOCK_OIDC_RULES: 'false',
      },
    });
    try {
      const endpoint = { registrationEndpoint: `${cli.url}/oidc/register` };
      // Plain http on a public host: refused by the OIDC rules, which the variable turned off.
      const body = { redirect_uris: ['http://app.example/cb'] };
      expect((await register(endpoint, body)).status).toBe(401);
      const ok = await register(endpoint, body, { authorization: 'Bearer two' });
      expect(ok.status).toBe(201);
      expect(ok.json).toHaveProperty('registration_access_token');
      expect((await register(endpoint, body, { authorization: 'Bearer one' })).status).toBe(403);
    } finally {
      await cli.stop();
    }
  });
});

describe('resolveConfig (the programmatic API)', () => {
  it('has a default for each new option', () => {
    expect(DEFAULTS).toMatchObject({
      ids: 'sequence',
      oidcRules: undefined,
      initialAccessToken: [],
      maxClients: undefined,
      rateLimit: undefined,
      softwareStatementKey: undefined,
      rotateRegistrationToken: false,
    });
  });

  it('normalises values from any source', () => {
    const config = resolveConfig({
      profile: 'rfc7591',
      ids: 'content',
      oidcRules: 'false',
      initialAccessToken: 'a, b,c',
      maxClients: '10',
      rateLimit: 'auth0',
      rotateRegistrationToken: '1',
    });
    expect(config).toMatchObject({
      profile: 'rfc7591',
      ids: 'content',
      oidcRules: false,
      initialAccessToken: ['a', 'b', 'c'],
      maxClients: 10,
      rateLimit: { rate: 5, burst: 5 },
      rotateRegistrationToken: true,
    });
  });

  it.each([
    { ids: 'uuid' },
    { maxClients: 1.5 },
    { rateLimit: {} },
    { initialAccessToken: [42] },
    { initialAccessToken: 'a b' },
    { oidcRules: 'yes' },
  ])('%j → StartupError, exit code 2', (options) => {
    expect(() => resolveConfig(options)).toThrow(StartupError);
    try {
      resolveConfig(options);
    } catch (err) {
      expect((err as StartupError).exitCode).toBe(2);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
