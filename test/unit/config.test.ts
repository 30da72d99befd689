import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCommandLine } from '../../src/command-line.js';
import { helpText } from '../../src/help.js';
import { type Config, DEFAULTS, readConfigFile, resolveConfig } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';
import { OPTIONS } from '../../src/options.js';

const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, options: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof options === 'string' ? options : JSON.stringify(options));
  return path;
};

/** The StartupError that `run` throws. */
function refusal(run: () => unknown): StartupError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError);
    return err as StartupError;
  }
  throw new Error('expected a StartupError, nothing was thrown');
}

describe('resolveConfig: the layers', () => {
  it('with no layer, is DEFAULTS', () => {
    expect(resolveConfig()).toStrictEqual(DEFAULTS);
    expect(Object.isFrozen(resolveConfig())).toBe(true);
  });

  it('lets a later layer win, and a value left undefined changes nothing', () => {
    expect(resolveConfig({ db: 'a.json', seed: 's' }, { db: 'b.json' })).toMatchObject({ db: 'b.json', seed: 's' });
    expect(resolveConfig({ db: 'a.json' }, { db: undefined }).db).toBe('a.json');
  });

  it('normalises what every source gives as text', () => {
    expect(resolveConfig({ port: '0', quiet: 'true', latency: '100-500', issuer: 'http://a.example/x' })).toMatchObject(
      { port: 0, quiet: true, latency: [100, 500], issuer: 'http://a.example/x/' },
    );
  });

  it('puts the rules of --fail before those of failures, from any layers', () => {
    const config = resolveConfig({ failures: ['server_error'] }, { fail: ['rate_limited:times=2', 'delay:ms=5'] });
    expect(config.failures.map((rule) => rule.mode)).toEqual(['rate_limited', 'delay', 'server_error']);
    expect(config).not.toHaveProperty('fail');
  });

  it.each(['prot', 'config', 'Port', 'admin-token'])('refuses the unknown key %j', (key) => {
    const err = refusal(() => resolveConfig({ [key]: 1 }));
    expect(err.exitCode).toBe(2);
    const meant = {
      prot: ' (did you mean port?)',
      Port: ' (did you mean port?)',
      'admin-token': ' (did you mean adminToken?)',
    };
    expect(err.message).toBe(
      `Failed to read the options: unknown option ${JSON.stringify(key)}${meant[key as keyof typeof meant] ?? ''}. Run dcr-mock --help for the list.`,
    );
  });
});

/** One bad value for every key resolveConfig checks, and what it says. */
const REFUSALS: Array<{ key: string; value: unknown; says: RegExp }> = [
  { key: 'port', value: 'abc', says: /^--port must be an integer from 0 to 65535, got "abc"$/ },
  { key: 'host', value: '', says: /^--host must be a non-empty string, got ""$/ },
  { key: 'db', value: 42, says: /^--db must be a non-empty string, got 42$/ },
  { key: 'seed', value: '', says: /^--seed must be a non-empty string or a number, got ""$/ },
  { key: 'profile', value: 'nope', says: /^--profile must be one of auth0, auth0-permissive, rfc7591, got "nope"$/ },
  { key: 'fail', value: [42], says: /^bad failure rule in --fail: it must be a spec string, got 42\. Valid modes: / },
  { key: 'failures', value: 'x', says: /^failures must be an array of rules or specs, got "x"$/ },
  { key: 'latency', value: '5-1', says: /^--latency must be milliseconds or MIN-MAX \(at most 300000\), got "5-1"$/ },
  { key: 'fixtures', value: join(tmpdir(), 'none.json'), says: /^Failed to load the fixtures from .*none\.json: / },
  { key: 'issuer', value: 'ftp://a', says: /^--issuer must be an absolute http\(s\) URL without query or fragment/ },
  { key: 'clock', value: 'yesterday', says: /^--clock must be an ISO 8601 date-time such as .*, got "yesterday"$/ },
  { key: 'adminToken', value: 'a b', says: /^--admin-token must be printable ASCII without spaces$/ },
  {
    key: 'corsOrigin',
    value: 'https://a.example/path',
    says: /^--cors-origin must be an origin such as https:\/\/app\.example\.com/,
  },
  { key: 'quiet', value: 'maybe', says: /^--quiet must be true or false, got "maybe"$/ },
  { key: 'log', value: 'xml', says: /^--log must be one of text, json, got "xml"$/ },
  { key: 'urlFile', value: '', says: /^--url-file must be a non-empty string, got ""$/ },
  { key: 'ids', value: 'uuid', says: /^--ids must be one of sequence, content, got "uuid"$/ },
  { key: 'oidcRules', value: 'yes', says: /^--oidc-rules must be true or false, got "yes"$/ },
  { key: 'initialAccessToken', value: 'semi;colon', says: /^--initial-access-token must be a Bearer token/ },
  { key: 'maxClients', value: 1.5, says: /^--max-clients must be a whole number \(0 or more\), got 1\.5$/ },
  { key: 'rateLimit', value: '0', says: /^--rate-limit must be R\[\/BURST\] .* or auth0, got "0"$/ },
  { key: 'softwareStatementKey', value: '/nonexistent/key.pem', says: /^--software-statement-key cannot read / },
  { key: 'rotateRegistrationToken', value: 'x', says: /^--rotate-registration-token must be true or false/ },
  { key: 'login', value: 'sso', says: /^--login must be one of auto, consent, login, got "sso"$/ },
  {
    key: 'api',
    value: [''],
    says: /^Failed to read --api: an API identifier must not be empty\. Write ID or ID:scope/,
  },
  { key: 'apis', value: [{ scopes: [] }], says: /^Failed to read --api: apis\[0\] must be "ID\[:scopes\]" or/ },
  {
    key: 'users',
    value: [{ email: 3 }],
    says: /^Failed to load the fixture users: users\[0\]\.email must be a string, got 3/,
  },
  { key: 'signingKey', value: '', says: /^--signing-key must be a non-empty string, got ""$/ },
  { key: 'issParam', value: 'maybe', says: /^--iss-param must be true or false, got "maybe"$/ },
  { key: 'resourceParam', value: 'no', says: /^--resource-param must be one of on, off, got "no"/ },
  { key: 'tokenDialect', value: 'jwt', says: /^--token-dialect must be one of auth0, rfc9068, got "jwt"$/ },
  {
    key: 'refreshReuseLeeway',
    value: -1,
    says: /^--refresh-reuse-leeway must be whole seconds from 0 to 86400, got -1$/,
  },
  { key: 'cimd', value: 'maybe', says: /^--cimd must be true or false, got "maybe"$/ },
  { key: 'cimdFetch', value: 'all', says: /^--cimd-fetch must be one of loopback, any, got "all"/ },
  {
    key: 'cimdDocuments',
    value: [{ client_id: 'https://app.example.com/?q=1', redirect_uris: ['https://app.example.com/cb'] }],
    says: /^Failed to load the documents: cimd\[0\]: client_id must be a URL with a path\. Fix that document\.$/,
  },
  { key: 'refreshAbsoluteLifetime', value: 'long', says: /^--refresh-absolute-lifetime must be whole seconds/ },
  { key: 'refreshIdleLifetime', value: 1.5, says: /^--refresh-idle-lifetime must be whole seconds/ },
  { key: 'tenant', value: 'Tenant A', says: /^--tenant must be a name of lowercase letters.*got "Tenant"/ },
  { key: 'tenants', value: ['a', 'a'], says: /^--tenant a is given twice; give each tenant once/ },
];

describe('resolveConfig: each check refuses a bad value with one line and exit code 2', () => {
  it('has a case for every key it checks', () => {
    expect(REFUSALS.map((r) => r.key).sort()).toEqual(
      OPTIONS.filter((o) => o.name !== 'config')
        .map((o) => o.name)
        .sort(),
    );
  });

  it.each(REFUSALS)('$key: $value', ({ key, value, says }) => {
    const err = refusal(() => resolveConfig({ [key]: value }));
    expect(err.exitCode).toBe(2);
    expect(err.message).not.toContain('\n');
    const why = err.message
      .replace(/^Failed to read the options: /, '')
      .replace(/\. Run dcr-mock --help for the list\.$/, '');
    expect(why).toMatch(says);
  });
});

describe('readConfigFile', () => {
  it('reads an object of options, without $schema and $comment', () => {
    const path = file('plain.json', { $schema: 'x', $comment: 'y', port: 0, seed: 'ci' });
    expect(readConfigFile(path, true)).toEqual({ port: 0, seed: 'ci' });
  });

  it('takes a fixtures path relative to the file', () => {
    mkdirSync(join(dir, 'scenario'));
    const path = file('scenario/dcr-mock.config.json', { fixtures: 'clients.json' });
    expect(readConfigFile(path, true)['fixtures']).toBe(join(dir, 'scenario', 'clients.json'));
  });

  it('reads nothing from a default file that is missing, and refuses a named one', () => {
    expect(readConfigFile(join(dir, 'missing.json'), false)).toEqual({});
    expect(refusal(() => readConfigFile(join(dir, 'missing.json'), true)).message).toMatch(
      /^Failed to read the config file .*missing\.json: .*no such file.*\. Check the --config path\.$/,
    );
  });

  it.each([
    { name: 'not JSON', text: '{"port": 0,', says: /\. Fix the JSON\.$/ },
    { name: 'an array', text: '[]', says: /: it must hold a JSON object of options\.$/ },
    {
      name: 'an unknown key',
      text: '{"port": 0, "prot": 4000}',
      says: /: unknown option "prot" \(did you mean port\?\)\. Fix its spelling/,
    },
    { name: 'a key in kebab-case', text: '{"admin-token": "t"}', says: /"admin-token" \(did you mean adminToken\?\)/ },
    { name: 'the CLI-only config key', text: '{"config": "x.json"}', says: /: unknown option "config"\./ },
  ])('refuses a file holding $name, exit code 2', ({ name, text, says }) => {
    const err = refusal(() => readConfigFile(file(`${name}.json`, text), true));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^Failed to read the config file /);
    expect(err.message).toMatch(says);
  });
});

describe('the command line: flags over DCR_MOCK_* variables over the config file', () => {
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('DCR_MOCK_')) vi.stubEnv(key, undefined);
  });
  afterEach(() => vi.unstubAllEnvs());

  const config = (argv: string[]): Config => {
    const line = readCommandLine(argv);
    if (!('config' in line)) throw new Error('expected a configuration, not printed text');
    return line.config;
  };
  const fromFile = () => file('layers.json', { db: 'file.json', seed: 'file', port: 1, log: 'json' });

  it('a variable wins over the file, a flag over both', () => {
    vi.stubEnv('DCR_MOCK_DB', 'env.json');
    vi.stubEnv('DCR_MOCK_SEED', 'env');
    expect(config(['--config', fromFile(), '--db', 'flag.json'])).toMatchObject({
      db: 'flag.json',
      seed: 'env',
      port: 1,
      log: 'json',
    });
  });

  it('a flag wins over a bad variable, which is never checked', () => {
    vi.stubEnv('DCR_MOCK_PORT', 'abc');
    expect(config(['--port', '0']).port).toBe(0);
  });

  it('reads the config file a variable names, and the repeatable flags from variables', () => {
    vi.stubEnv('DCR_MOCK_CONFIG', fromFile());
    vi.stubEnv('DCR_MOCK_FAIL', 'rate_limited:times=2');
    vi.stubEnv('DCR_MOCK_INITIAL_ACCESS_TOKEN', 'one,two');
    expect(config([])).toMatchObject({
      db: 'file.json',
      failures: [expect.objectContaining({ mode: 'rate_limited', times: 2 })],
      initialAccessToken: ['one', 'two'],
    });
  });

  it('reads dcr-mock.config.json from the working directory when no --config is given', () => {
    const cwd = process.cwd();
    const folder = join(dir, 'cwd');
    mkdirSync(folder);
    writeFileSync(join(folder, 'dcr-mock.config.json'), JSON.stringify({ seed: 'from-cwd' }));
    try {
      process.chdir(folder);
      expect(config([]).seed).toBe('from-cwd');
      expect(config(['--seed', 'flag']).seed).toBe('flag');
    } finally {
      process.chdir(cwd);
    }
  });

  it('says what --help and --version print instead of a configuration', () => {
    expect(readCommandLine(['--version'])).toEqual({ printed: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(readCommandLine(['-h'])).toEqual({ help: true });
    expect(readCommandLine(['--port', '0', '--help'])).toEqual({ help: true });
    expect(helpText(80)).toMatch(/^dcr-mock \[options\] \[DB\.json\]\n/);
  });

  it('takes a lone .json argument as --db, as json-server does', () => {
    expect(config(['clients.json', '--port', '0'])).toMatchObject({ db: 'clients.json', port: 0 });
    expect(config([':memory:']).db).toBe(':memory:');
    vi.stubEnv('DCR_MOCK_DB', 'env.json');
    expect(config(['arg.json']).db).toBe('arg.json');
  });

  it('names the config file it read, found or named, and none when there is none', () => {
    const named = fromFile();
    const line = readCommandLine(['--config', named]);
    expect('configFile' in line && line.configFile).toBe(named);
    const none = readCommandLine(['--port', '0']);
    expect('configFile' in none && none.configFile).toBeUndefined();
  });

  it.each([
    { argv: ['--bogus'], says: /: unknown option --bogus\. Run/ },
    { argv: ['--prot', '4000'], says: /: unknown option --prot \(did you mean --port\?\)\. Run/ },
    { argv: ['--sed=ci'], says: /: unknown option --sed \(did you mean --seed\?\)\. Run/ },
    { argv: ['--no-quite'], says: /: unknown option --no-quite \(did you mean --no-quiet\?\)/ },
    { argv: ['-x'], says: /: unknown option -x\. Run/ },
    {
      argv: ['serve'],
      says: /: unexpected argument "serve": the one argument dcr-mock takes is its db file, ending in \.json/,
    },
    { argv: ['a.json', 'b.json'], says: /: unexpected argument "b\.json": dcr-mock takes one db file\. Run/ },
    {
      argv: ['a.json', '--db', 'b.json'],
      says: /: the db is given twice, as "a\.json" and as --db "b\.json"; give one\. Run/,
    },
    { argv: ['--port'], says: /--port must be an integer/ },
    { argv: ['--port', '1', '--port', '2'], says: /: --port is given 2 times; give it once\. Run/ },
    { argv: ['--fail'], says: /: --fail needs a value\. Run/ },
    { argv: ['--profile', 'x'], says: /: --profile must be one of auth0, auth0-permissive, rfc7591, got "x"\. Run/ },
    { argv: ['--profile', 'rfc7951'], says: /, got "rfc7951" \(did you mean rfc7591\?\)\. Run/ },
    { argv: ['--fail', 'rate_limited:tims=2'], says: /: bad failure rule in --fail: .*\(did you mean times\?\)/ },
    {
      argv: ['--initial-access-token', 'a b'],
      says: /--initial-access-token must be a token without spaces, got "a b"/,
    },
  ])('refuses $argv with one line, exit code 2', ({ argv, says }) => {
    const err = refusal(() => readCommandLine(argv));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^Failed to read the options: .*\. Run dcr-mock --help for the list\.$/);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(says);
  });

  it.each([
    {
      env: { DCR_MOCK_PORT: 'abc' },
      says: /^Failed to read the options: DCR_MOCK_PORT must be an integer from 0 to 65535, got "abc"\. Fix or unset DCR_MOCK_PORT\.$/,
    },
    {
      env: { DCR_MOCK_PROT: '4000' },
      says: /^Failed to read the options: unknown variable DCR_MOCK_PROT \(did you mean DCR_MOCK_PORT\?\)\. Run /,
    },
    {
      env: { DCR_MOCK_FAIL: 'rate_limted' },
      says: /^Failed to read the options: bad failure rule in DCR_MOCK_FAIL: rate_limted: unknown mode "rate_limted" \(did you mean rate_limited\?\).*\. Fix or unset DCR_MOCK_FAIL\.$/,
    },
    {
      env: { DCR_MOCK_INITIAL_ACCESS_TOKEN: '@/nonexistent/tokens.txt' },
      says: /^Failed to read the options: DCR_MOCK_INITIAL_ACCESS_TOKEN @\/nonexistent\/tokens\.txt: cannot read /,
    },
  ])('says a bad variable is one: $env', ({ env, says }) => {
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    const err = refusal(() => readCommandLine(['--db', ':memory:']));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(says);
  });

  it.each([
    { options: { port: 'abc' }, says: /: "port" must be an integer from 0 to 65535, got "abc"\. Fix it there; / },
    {
      options: { profile: 'rfc7951' },
      says: /: "profile" must be one of .*, got "rfc7951" \(did you mean rfc7591\?\)\. Fix/,
    },
    {
      options: { failures: ['rate_limited:tims=2'] },
      says: /: bad failure rule: .*\(did you mean times\?\).*\. Fix it there; /,
    },
    { options: { adminToken: 'a b' }, says: /: "adminToken" must be printable ASCII without spaces\. Fix it there; / },
  ])('says a bad value of the config file is one: $options', ({ options, says }) => {
    const path = file('bad-value.json', options);
    for (const argv of [['--config', path], []]) {
      const err = refusal(() => readCommandLine(argv, argv.length ? {} : { DCR_MOCK_CONFIG: path }));
      expect(err.exitCode).toBe(2);
      expect(err.message.startsWith(`Failed to read the config file ${path}: `)).toBe(true);
      expect(err.message).toMatch(says);
    }
  });

  it('says a bad flag is a flag, over a good variable and file', () => {
    vi.stubEnv('DCR_MOCK_PORT', '1');
    const err = refusal(() => readCommandLine(['--config', file('good.json', { port: 2 }), '--port', 'abc']));
    expect(err.message).toMatch(/^Failed to read the options: --port must be an integer .*, got "abc"\. Run /);
  });
});
