import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { OPTIONS, flagName, helpDefault } from '../../src/options.js';
import { END_MARKER, START_MARKER, optionsMarkdown, tableIn, withOptionsTable } from '../../src/options-markdown.js';
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
      tenants: [],
      clock: undefined,
      adminToken: undefined,
      corsOrigin: [],
      quiet: false,
      log: 'text',
      urlFile: undefined,
      ids: 'sequence',
      oidcRules: undefined,
      initialAccessToken: [],
      maxClients: undefined,
      rateLimit: undefined,
      softwareStatementKey: undefined,
      rotateRegistrationToken: false,
      login: 'auto',
      apis: [],
      users: [],
      signingKey: undefined,
      issParam: false,
      resourceParam: 'on',
      tokenDialect: 'auth0',
      refreshReuseLeeway: 0,
      cimd: false,
      cimdFetch: 'loopback',
      cimdDocuments: [],
      refreshAbsoluteLifetime: 2_592_000,
      refreshIdleLifetime: 1_296_000,
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
    expect(flags).toHaveLength(36);
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

describe('the options table in the docs', () => {
  it('docs/options.md holds the table made from src/options.ts', () => {
    const text = readFileSync(new URL('../../docs/options.md', import.meta.url), 'utf8');
    expect(tableIn(text), 'docs/options.md is out of date: run npm run docs:options').toBe(optionsMarkdown());
  });

  it('has one row per README row, then help and version', () => {
    const rows = optionsMarkdown().split('\n');
    expect(rows.slice(0, 2)).toEqual(['| option | default | meaning |', '|---|---|---|']);
    expect(rows).toHaveLength(2 + OPTIONS.filter((o) => o.readme).length + 1);
    expect(rows).toContain(
      '| `-p, --port` | `4000` | port; `0` picks a free one (the first line printed tells which) |',
    );
    expect(rows).toContain('| `--clock ISO` | real time | a fixed time for every timestamp dcr-mock generates |');
    expect(rows.at(-1)).toBe('| `-h, --help`, `--version` | | |');
  });

  it('points links at the pages beside docs/options.md, or at another page with a prefix', () => {
    expect(optionsMarkdown()).toContain('see [Profiles](registration.md#profiles)');
    expect(optionsMarkdown('docs/')).toContain('see [Profiles](docs/registration.md#profiles)');
  });

  it('rewrites only what lies between the markers, and refuses a page without them', () => {
    const page = `# A\n\n${START_MARKER}\nold\n${END_MARKER}\n\nafter\n`;
    expect(withOptionsTable(page, '| t |', 'page')).toBe(`# A\n\n${START_MARKER}\n\n| t |\n\n${END_MARKER}\n\nafter\n`);
    expect(tableIn(withOptionsTable(page, '| t |', 'page'))).toBe('| t |');
    expect(() => withOptionsTable('# A\n', '| t |', 'page')).toThrow(/Failed to update page: it lacks the markers/);
  });
});
