import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../support/main.js';
import { type Cli, ROOT, runCli, startCli } from '../support/processes.js';
import { register, tempDir } from '../support/server.js';

const root = tempDir();

const CLIENT = { client_name: 'CLI test', redirect_uris: ['http://localhost:5173/callback'] };
const at = (url: string) => ({ registrationEndpoint: `${url}/oidc/register` });
const URL_LINE = /^http:\/\/127\.0\.0\.1:(\d+)$/;
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * `npx dcr-mock …` in this repository, as a user types it. npx first links the package into an npx cache of
 * its own (a fresh one per run, so runs share no npm state), and only then runs the bin. Should npm itself
 * fail on the way (its lines start `npm error`), the failure is shown and npx run once more; a failure of
 * dcr-mock, or a second one of npm, fails the test.
 */
async function startWithNpx(args: readonly string[]): Promise<Cli> {
  const options = { npx: true, cwd: ROOT, startMs: 60_000 } as const;
  try {
    return await startCli(args, { ...options, env: { npm_config_cache: join(root, 'npm-cache-1') } });
  } catch (err) {
    if (!/^npm error /m.test(String(err))) throw err;
    console.warn(`npx failed before dcr-mock ran; once more with a new cache:\n${String(err)}`);
    return startCli(args, { ...options, env: { npm_config_cache: join(root, 'npm-cache-2') } });
  }
}

describe('npx dcr-mock', () => {
  it('prints its URL, then the registration endpoint and the db, and serves registrations', {
    timeout: 60_000,
  }, async () => {
    const mock = await startWithNpx(['--port', '0', '--db', ':memory:']);
    try {
      expect(mock.url).toMatch(URL_LINE);
      expect(Number(URL_LINE.exec(mock.url)?.[1])).toBeGreaterThan(0);
      await mock.waitForLine(/^db: /);
      expect(mock.lines.slice(1, 3)).toEqual([`registration endpoint: ${mock.url}/oidc/register`, 'db: :memory:']);
      const res = await register(at(mock.url), CLIENT);
      expect(res.status).toBe(201);
      expect(res.json['client_id']).toMatch(/^tpc_[A-Za-z0-9]{32}$/);
    } finally {
      await mock.stop();
    }
  });
});

describe('--help and --version', () => {
  it('--help exits 0 and lists every option', async () => {
    const { code, stdout, stderr } = await runMain(['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const option of [
      '--port',
      '--host',
      '--db',
      '--seed',
      '--profile',
      '--config',
      '--issuer',
      '--clock',
      '--quiet',
      '--log',
      '--fail',
      '--latency',
      '--fixtures',
      '--admin-token',
      '--ids',
      '--oidc-rules',
      '--initial-access-token',
      '--max-clients',
      '--rate-limit',
      '--software-statement-key',
      '--rotate-registration-token',
    ]) {
      expect(stdout).toMatch(new RegExp(`^ +(-\\w, )?${option} `, 'm'));
    }
  });

  it('the binary prints the same --help', async () => {
    const spawned = await runCli(['--help']);
    expect({ code: spawned.code, stderr: spawned.stderr }).toEqual({ code: 0, stderr: '' });
    expect(spawned.stdout).toBe((await runMain(['--help'])).stdout);
  });

  it("--version prints package.json's version", async () => {
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('bad options exit 2 with one line saying what was wrong', () => {
  const dir = join(root, 'options');
  beforeAll(() => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'not-json.json'), '{"port": 0,');
    writeFileSync(join(dir, 'unknown-key.json'), '{"port": 0, "prot": 4000}');
    writeFileSync(join(dir, 'bad-value.json'), '{"port": "abc"}');
  });

  const mem = ['--db', ':memory:'];
  const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; says: RegExp[] }> = [
    { name: 'an unknown flag', args: ['--port', '0', ...mem, '--bogus'], says: [/bogus/] },
    { name: 'a stray argument', args: ['--port', '0', ...mem, 'serve'], says: [/serve/] },
    { name: '--port abc', args: ['--port', 'abc', ...mem], says: [/--port/, /abc/] },
    { name: '--port 70000', args: ['--port', '70000', ...mem], says: [/--port/, /70000/] },
    { name: '--port -1', args: ['--port=-1', ...mem], says: [/--port/, /-1/] },
    { name: '--profile nope', args: ['--port', '0', ...mem, '--profile', 'nope'], says: [/profile/, /nope/, /auth0/] },
    { name: '--log xml', args: ['--port', '0', ...mem, '--log', 'xml'], says: [/log/, /xml/, /json/] },
    {
      name: '--clock yesterday',
      args: ['--port', '0', ...mem, '--clock', 'yesterday'],
      says: [/--clock/, /yesterday/],
    },
    {
      name: '--issuer not-a-url',
      args: ['--port', '0', ...mem, '--issuer', 'not-a-url'],
      says: [/--issuer/, /not-a-url/],
    },
    { name: 'DCR_MOCK_PORT=abc', args: mem, env: { DCR_MOCK_PORT: 'abc' }, says: [/DCR_MOCK_PORT must be/, /abc/] },
    {
      name: 'a misspelt flag',
      args: [...mem, '--sed', 'ci'],
      says: [/unknown option --sed \(did you mean --seed\?\)/],
    },
    {
      name: 'a misspelt variable',
      args: mem,
      env: { DCR_MOCK_SED: 'ci' },
      says: [/unknown variable DCR_MOCK_SED \(did you mean DCR_MOCK_SEED\?\)/],
    },
    {
      name: 'a missing --config file',
      args: [...mem, '--config', join(dir, 'missing.json')],
      says: [/missing\.json/, /no such file/],
    },
    {
      name: 'a --config file that is not JSON',
      args: [...mem, '--config', join(dir, 'not-json.json')],
      says: [/not-json\.json/, /JSON/],
    },
    {
      name: 'a --config file with an unknown key',
      args: [...mem, '--config', join(dir, 'unknown-key.json')],
      says: [/unknown-key\.json/, /"prot" \(did you mean port\?\)/],
    },
    {
      name: 'a --config file with a bad value',
      args: [...mem, '--config', join(dir, 'bad-value.json')],
      says: [/^\[dcr-mock\] Failed to read the config file [^\n]*bad-value\.json: "port" must be/, /abc/],
    },
  ];

  it.each(cases)('$name', async ({ args, env, says }) => {
    const { code, stdout, stderr } = await runMain(args, { cwd: dir, env });
    expect(stderr).toMatch(/^\[dcr-mock\] [^\n]+\n$/);
    for (const pattern of says) expect(stderr).toMatch(pattern);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  });

  // The same through the binary, for a flag and for a variable: what it prints and its exit code.
  it.each(cases.filter(({ name }) => name === 'an unknown flag' || name === 'DCR_MOCK_PORT=abc'))(
    'the binary: $name',
    async ({ args, env }) => {
      const spawned = await runCli(args, { cwd: dir, env });
      const { code, stdout, stderr } = await runMain(args, { cwd: dir, env });
      expect(spawned).toMatchObject({ code, stdout, stderr });
      expect(code).toBe(2);
    },
  );
});

describe('where options come from', () => {
  const dir = join(root, 'sources');
  beforeAll(() => mkdirSync(dir));
  const fileOptions = { port: 0, db: 'file.json' };
  const cases: Array<{ name: string; file?: object; env?: Record<string, string>; args?: string[]; db: string }> = [
    {
      name: 'DCR_MOCK_PORT=0 DCR_MOCK_DB=:memory: alone',
      env: { DCR_MOCK_PORT: '0', DCR_MOCK_DB: ':memory:' },
      db: ':memory:',
    },
    { name: 'dcr-mock.config.json in the cwd', file: fileOptions, db: 'file.json' },
    { name: 'variables win over the config file', file: fileOptions, env: { DCR_MOCK_DB: 'env.json' }, db: 'env.json' },
    {
      name: 'flags win over variables',
      file: fileOptions,
      env: { DCR_MOCK_DB: 'env.json' },
      args: ['--db', 'flag.json'],
      db: 'flag.json',
    },
    {
      name: "a lone .json argument, json-server's habit",
      env: { DCR_MOCK_PORT: '0' },
      args: ['pos.json'],
      db: 'pos.json',
    },
    {
      name: 'a flag wins over a bad variable',
      env: { DCR_MOCK_PORT: 'abc', DCR_MOCK_DB: ':memory:' },
      args: ['--port', '0'],
      db: ':memory:',
    },
  ];

  it.each(cases.map((c, i) => ({ ...c, i })))('$name', async ({ i, file, env, args = [], db }) => {
    const cwd = join(dir, String(i));
    mkdirSync(cwd);
    if (file) writeFileSync(join(cwd, 'dcr-mock.config.json'), JSON.stringify(file));
    const mock = await startCli(['--quiet', ...args], { cwd, env });
    try {
      expect(mock.url).toMatch(URL_LINE);
      expect(await mock.waitForLine(/^db: /)).toBe(`db: ${db === ':memory:' ? db : join(cwd, db)}`);
      expect((await register(at(mock.url), CLIENT)).status).toBe(201);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
    const written = readdirSync(cwd).filter((name) => name !== 'dcr-mock.config.json');
    expect(written).toEqual(db === ':memory:' ? [] : [db]);
  });

  it('a seed in dcr-mock.config.json changes the credentials like --seed does', async () => {
    const withFile = join(dir, 'seed-file');
    mkdirSync(withFile);
    writeFileSync(join(withFile, 'dcr-mock.config.json'), JSON.stringify({ seed: 'from-file' }));
    const firstClientId = async (args: string[], cwd: string) => {
      const mock = await startCli(['--port', '0', '--db', ':memory:', '--quiet', ...args], { cwd });
      try {
        return (await register(at(mock.url), CLIENT)).json['client_id'];
      } finally {
        await mock.stop();
      }
    };
    const fromFile = await firstClientId([], withFile);
    expect(fromFile).toBe(await firstClientId(['--seed', 'from-file'], dir));
    expect(fromFile).not.toBe(await firstClientId([], dir));
  });
});

describe('a running server', () => {
  const dir = join(root, 'running');
  beforeAll(() => mkdirSync(dir));

  it('--clock 2026-01-01T00:00:00Z is the stored created_at', async () => {
    const db = join(dir, 'clock.json');
    const mock = await startCli(['--port', '0', '--db', db, '--quiet', '--clock', '2026-01-01T00:00:00Z']);
    let clientId: unknown;
    try {
      clientId = (await register(at(mock.url), CLIENT)).json['client_id'];
      const served = (await (await fetch(`${mock.url}/clients/${String(clientId)}`)).json()) as Record<string, unknown>;
      expect(served['created_at']).toBe('2026-01-01T00:00:00.000Z');
    } finally {
      expect(await mock.stop()).toBe(0);
    }
    const stored = JSON.parse(readFileSync(db, 'utf8')) as { clients: Array<Record<string, unknown>> };
    expect(stored.clients).toEqual([
      expect.objectContaining({ client_id: clientId, created_at: '2026-01-01T00:00:00.000Z' }),
    ]);
  });

  it('--host 0.0.0.0 warns on stderr and still serves 127.0.0.1', async () => {
    const mock = await startCli(['--host', '0.0.0.0', '--port', '0', '--db', ':memory:', '--quiet']);
    try {
      expect(mock.url).toMatch(URL_LINE);
      expect((await register(at(mock.url), CLIENT)).status).toBe(201);
    } finally {
      await mock.stop();
    }
    const { code, stderr } = await mock.exit;
    expect(code).toBe(0);
    expect(stderr).toMatch(/^\[dcr-mock\] Warning: [^\n]*0\.0\.0\.0[^\n]*\n$/);
  });

  it.each([
    { log: 'text by default', args: [], parse: parseTextLine },
    { log: 'JSON lines with --log json', args: ['--log', 'json'], parse: parseJsonLine },
    { log: 'nothing with --quiet', args: ['--quiet'], parse: parseTextLine },
  ])('the request log: $log', async ({ args, parse }) => {
    const mock = await startCli(['--port', '0', '--db', ':memory:', ...args]);
    try {
      expect((await register(at(mock.url), CLIENT)).status).toBe(201);
      expect((await register(at(mock.url), { redirect_uris: 'nope' })).status).toBe(400);
      expect((await fetch(`${mock.url}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${mock.url}/clients`)).status).toBe(200);
      const preflight = { 'access-control-request-method': 'POST', origin: 'http://localhost:5173' };
      expect((await fetch(`${mock.url}/oidc/register`, { method: 'OPTIONS', headers: preflight })).status).toBe(204);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
    // Five start-up lines in text, one start record in JSON.
    const startup = args.includes('json') ? 1 : 5;
    const logged = (await mock.exit).stdout.split('\n').slice(startup, -1).map(parse);
    const expected = args.includes('--quiet')
      ? []
      : [
          'GET /.well-known/openid-configuration 200',
          'GET /clients 200',
          'OPTIONS /oidc/register 204',
          'POST /oidc/register 201',
          'POST /oidc/register 400',
        ];
    expect(logged.sort()).toEqual(expected);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops it with exit 0, the client registered just before in db.json',
    async (sig) => {
      const folder = join(dir, sig);
      mkdirSync(folder);
      const db = join(folder, 'db.json');
      const mock = await startCli(['--port', '0', '--db', db, '--quiet']);
      const res = await register(at(mock.url), CLIENT);
      expect(res.status).toBe(201);
      expect(await mock.stop(sig)).toBe(0);
      expect((await mock.exit).stderr).toBe('');
      const stored = JSON.parse(readFileSync(db, 'utf8')) as { clients: Array<Record<string, unknown>> };
      expect(stored.clients.map((c) => c['client_id'])).toEqual([res.json['client_id']]);
      const journal = `${db}.journal`;
      expect(existsSync(journal) ? readFileSync(journal, 'utf8') : '').toBe('');
      expect(readdirSync(folder).filter((name) => name !== 'db.json.journal')).toEqual(['db.json']);
    },
  );

  it('a port already in use: exit 1, saying to choose another port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const { code, stdout, stderr } = await runCli(['--port', String(port), '--db', ':memory:']);
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(/^\[dcr-mock\] [^\n]+\n$/);
      expect(stderr).toMatch(new RegExp(`${port}.*[Cc]hoose another --port`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

/** "POST /oidc/register 201 3.2ms" → "POST /oidc/register 201" */
function parseTextLine(line: string): string {
  const match = /^(GET|POST|OPTIONS) (\S+) (\d{3}) \d+\.\dms$/.exec(line);
  if (!match) throw new Error(`not a request log line: ${JSON.stringify(line)}`);
  return `${match[1]} ${match[2]} ${match[3]}`;
}

function parseJsonLine(line: string): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  expect(record).toEqual(expect.objectContaining({ time: expect.any(String), ms: expect.any(Number) }));
  return `${String(record['method'])} ${String(record['path'])} ${String(record['status'])}`;
}
