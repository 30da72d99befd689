import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { OPTIONS, flagName, helpDefault } from '../../src/options.js';
import { runMain } from '../support/main.js';

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

describe('--help', () => {
  it('shows every option of the table with its text, choices and default', async () => {
    const { code, stdout } = await runMain(['--help']);
    expect(code).toBe(0);
    const flat = stdout.replace(/\s+/g, ' ');
    const flags = OPTIONS.filter((o) => o.flag);
    expect(flags).toHaveLength(21);
    for (const option of flags) {
      const { alias, help, choices } = option.flag!;
      const name = `--${flagName(option.name)}`;
      expect(stdout, name).toMatch(new RegExp(`^ +${alias ? `-${alias}, ` : ''}${name} `, 'm'));
      expect(flat, name).toContain(help.replace(/\s+/g, ' '));
      const shown = helpDefault(option);
      if (shown !== undefined) expect(flat, name).toContain(`[default: ${shown}]`);
      if (choices) expect(flat, name).toContain(`[choices: ${choices.map((c) => `"${c}"`).join(', ')}]`);
    }
    // Only those, and yargs' own two.
    const listed = [...stdout.matchAll(/^ +(?:-\w, )?--([a-z-]+) /gm)].map((m) => m[1]);
    expect(listed).toEqual([...flags.map((o) => flagName(o.name)), 'version', 'help']);
  });
});
