import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DcrMock, type FixtureClient, StartupError, type StartOptions, startDcrMock } from '../../src/index.js';
import { CLI, runNode, startCli } from '../support/processes.js';
import { register, tempDir } from '../support/server.js';

const WEB: FixtureClient = {
  client_id: 'fx-web',
  client_secret: 'fx-web-secret',
  client_name: 'Web',
  redirect_uris: ['https://app.example.com/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
};
const SPA: FixtureClient = {
  client_id: 'fx-spa',
  client_name: 'SPA',
  redirect_uris: ['http://localhost:5173/callback'],
  token_endpoint_auth_method: 'none',
};
const REGISTRATION = { client_name: 'Registered', redirect_uris: ['http://localhost:3000/cb'] };

const started: DcrMock[] = [];
async function mock(options: StartOptions = {}): Promise<DcrMock> {
  const instance = await startDcrMock({ port: 0, db: ':memory:', ...options });
  started.push(instance);
  return instance;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.close()));
});

// One temp folder for the file (removed after it), a fresh subfolder per test.
const scratch = tempDir();
const freshDir = () => mkdtempSync(join(scratch, 'case-'));

const json = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<unknown>;
const writeJson = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value, null, 2));

describe('fixtures: loading', () => {
  it('stores each fixture shaped like a registration, with the credentials it declares', async () => {
    const m = await mock({ fixtures: [WEB, SPA], clock: '2030-01-01T00:00:00Z' });
    expect(m.clients()).toEqual([
      {
        id: 'fx-web',
        client_id: 'fx-web',
        client_name: 'Web',
        client_secret: 'fx-web-secret',
        client_secret_expires_at: 0,
        redirect_uris: ['https://app.example.com/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
        created_at: '2030-01-01T00:00:00.000Z',
      },
      {
        id: 'fx-spa',
        client_id: 'fx-spa',
        client_name: 'SPA',
        redirect_uris: ['http://localhost:5173/callback'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        created_at: '2030-01-01T00:00:00.000Z',
      },
    ]);
    // Over plain REST and the control plane too.
    expect(await json(`${m.url}/clients/fx-spa`)).toMatchObject({ client_id: 'fx-spa' });
    expect(await json(`${m.url}/__dcr/clients/fx-web`)).toMatchObject({ client_secret: 'fx-web-secret' });
  });

  it("keeps a fixture's grant types, which the auth0 profile narrows only for a registration", async () => {
    const grant_types = ['client_credentials', 'authorization_code', 'client_credentials'];
    const m = await mock({ fixtures: [{ ...WEB, grant_types }] });
    expect(m.clients()[0]!.grant_types).toEqual(['client_credentials', 'authorization_code']);
    const registered = await register(m, { ...REGISTRATION, grant_types });
    expect(registered.json.grant_types).toEqual(['authorization_code']);
  });

  it('does not advance the credential sequence', async () => {
    const withFixtures = await mock({ seed: 'fx', fixtures: [WEB, SPA] });
    const without = await mock({ seed: 'fx' });
    const a = await register(withFixtures, REGISTRATION);
    const b = await register(without, REGISTRATION);
    expect(a.status).toBe(201);
    expect(a.text).toBe(b.text);
    expect(await json(`${withFixtures.url}/__dcr/health`)).toMatchObject({ clients: 3, sequence: 1 });
  });

  it('reads a file holding a bare array or {"clients": [...]}, and a db.json saved by a run', async () => {
    const dir = freshDir();
    writeJson(join(dir, 'array.json'), [WEB]);
    writeJson(join(dir, 'object.json'), { $comment: 'ignored', clients: [SPA] });
    const saved = await mock({ db: join(dir, 'db.json'), fixtures: [WEB] });
    await register(saved, REGISTRATION);
    await saved.close();

    expect((await mock({ fixtures: join(dir, 'array.json') })).clients().map((c) => c.client_id)).toEqual(['fx-web']);
    expect((await mock({ fixtures: join(dir, 'object.json') })).clients().map((c) => c.client_id)).toEqual(['fx-spa']);
    const fromDb = await mock({ fixtures: join(dir, 'db.json') });
    expect(fromDb.clients().map((c) => c.client_id)).toEqual(['fx-web', expect.stringMatching(/^tpc_/)]);
  });

  it('resolves a fixtures path in a config file from that file, and takes what a file holds inline', async () => {
    const dir = freshDir();
    writeJson(join(dir, 'clients.json'), [SPA]);
    writeJson(join(dir, 'by-path.config.json'), { fixtures: './clients.json' });
    writeJson(join(dir, 'inline.config.json'), { fixtures: [WEB] });
    writeJson(join(dir, 'inline-object.config.json'), { fixtures: { clients: [SPA, WEB] } });
    writeJson(join(dir, 'bad.config.json'), { fixtures: 5 });
    expect((await mock({ config: join(dir, 'by-path.config.json') })).clients()[0]!.client_id).toBe('fx-spa');
    expect((await mock({ config: join(dir, 'inline.config.json') })).clients()[0]!.client_id).toBe('fx-web');
    expect((await mock({ config: join(dir, 'inline-object.config.json') })).clients()).toHaveLength(2);
    await expect(mock({ config: join(dir, 'bad.config.json') })).rejects.toThrow(
      'Failed to load the fixtures: fixtures must be a file path, an array of clients or {"clients": [...]}, got 5.',
    );
  });
});

describe('fixtures: validation', () => {
  const ok = { client_id: 'ok', client_secret: 's', redirect_uris: ['https://ok.example.com/cb'] };
  const bad: Array<[string, unknown, string]> = [
    ['not an object', 'fx-web', 'fixtures[2] must be an object with client_id and redirect_uris'],
    ['null', null, 'fixtures[2] must be an object'],
    [
      'no client_id',
      { client_secret: 's', redirect_uris: ['https://a.example/cb'] },
      'fixtures[2].client_id must be a non-empty string',
    ],
    ['a numeric client_id', { ...ok, client_id: 42 }, 'fixtures[2].client_id must be a non-empty string'],
    ['an empty client_id', { ...ok, client_id: '' }, 'fixtures[2].client_id must be a non-empty string'],
    ['no redirect_uris', { client_id: 'x', client_secret: 's' }, 'fixtures[2].redirect_uris must be given'],
    ['empty redirect_uris', { ...ok, redirect_uris: [] }, 'fixtures[2].redirect_uris must hold at least one URI'],
    [
      'a fragment',
      { ...ok, redirect_uris: ['https://a.example/cb#x'] },
      'fixtures[2].redirect_uris[0] must not contain a fragment (#)',
    ],
    [
      'a javascript: URI second',
      { ...ok, redirect_uris: ['https://a.example/cb', 'javascript:alert(1)'] },
      'fixtures[2].redirect_uris[1] must not use the javascript:',
    ],
    [
      'a wildcard',
      { ...ok, redirect_uris: ['https://*.example.com/cb'] },
      'fixtures[2].redirect_uris[0] must not contain a wildcard',
    ],
    ['a relative URI', { ...ok, redirect_uris: ['/callback'] }, 'fixtures[2].redirect_uris[0] must be an absolute URI'],
    [
      'an unknown auth method',
      { ...ok, token_endpoint_auth_method: 'private_key_jwt' },
      'fixtures[2].token_endpoint_auth_method must be one of',
    ],
    ['a numeric client_name', { ...ok, client_name: 5 }, 'fixtures[2].client_name must be a string'],
    [
      'a string grant_types',
      { ...ok, grant_types: 'authorization_code' },
      'fixtures[2].grant_types must be an array of strings',
    ],
    [
      'an ftp logo_uri',
      { ...ok, logo_uri: 'ftp://a.example/logo.png' },
      'fixtures[2].logo_uri must be an absolute http(s) URI',
    ],
    [
      'a confidential client without a secret',
      { client_id: 'x', redirect_uris: ['https://a.example/cb'] },
      'fixtures[2].client_secret must be a non-empty string, unless token_endpoint_auth_method is none',
    ],
    [
      'a public client with a secret',
      { ...ok, token_endpoint_auth_method: 'none' },
      'fixtures[2].client_secret must be absent when token_endpoint_auth_method is none',
    ],
    [
      'a client_id seen before',
      { ...ok, client_id: 'fx-web' },
      'fixtures[2].client_id must be unique, but fixtures[0] has "fx-web" too',
    ],
  ];

  it.each(bad)('refuses %s, naming the entry (StartupError, exit code 2)', async (_name, entry, message) => {
    const error = await startDcrMock({ port: 0, db: ':memory:', fixtures: [WEB, SPA, entry as FixtureClient] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/^Failed to load the fixtures: /);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toMatch(/\. Fix that client or remove it\.$/);
  });

  it('names the file when a file is bad', async () => {
    const dir = freshDir();
    const files: Array<[string, string, RegExp]> = [
      ['not-json.json', '{"clients": [', /not-json\.json: it is not valid JSON/],
      [
        'wrong-shape.json',
        '{"client": []}',
        /wrong-shape\.json: it must hold an array of clients or an object such as \{"clients": \[...\]\}/,
      ],
      [
        'bad-entry.json',
        JSON.stringify({ clients: [WEB, { ...SPA, redirect_uris: ['x'] }] }),
        /bad-entry\.json: fixtures\[1\]\.redirect_uris\[0\] must be an absolute URI/,
      ],
    ];
    for (const [name, text, message] of files) {
      writeFileSync(join(dir, name), text);
      const error = await startDcrMock({ port: 0, db: ':memory:', fixtures: join(dir, name) }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(StartupError);
      expect((error as Error).message, name).toMatch(message);
    }
    const missing = await startDcrMock({ port: 0, db: ':memory:', fixtures: join(dir, 'missing.json') }).catch(
      (e: unknown) => e,
    );
    expect((missing as Error).message).toMatch(/missing\.json: ENOENT.*Check the --fixtures path\.$/);
  });

  it('leaves the db untouched when the fixtures are bad', async () => {
    const dir = freshDir();
    const db = join(dir, 'db.json');
    const first = await mock({ db, fixtures: [WEB] });
    await first.close();
    const before = readFileSync(db, 'utf8');
    await expect(startDcrMock({ port: 0, db, fixtures: [WEB, { ...SPA, client_id: '' }] })).rejects.toThrow(
      StartupError,
    );
    expect(readFileSync(db, 'utf8')).toBe(before);
  });
});

describe('fixtures: idempotent by client_id', () => {
  it('a restart with the same fixtures adds nothing, overwrites nothing, and the sequence carries on', async () => {
    const dir = freshDir();
    const db = join(dir, 'db.json');
    const first = await mock({ db, seed: 'restart', fixtures: [WEB, SPA] });
    const one = await register(first, REGISTRATION);
    await first.close();
    expect(JSON.parse(readFileSync(db, 'utf8')).clients.map((c: { client_id: string }) => c.client_id)).toEqual([
      'fx-web',
      'fx-spa',
      one.json['client_id'],
    ]);

    // The same ids again, one of them edited in the file: the stored client is kept as it was.
    const second = await mock({ db, seed: 'restart', fixtures: [{ ...WEB, client_name: 'Edited' }, SPA] });
    expect(second.clients().map((c) => [c.client_id, c.client_name])).toEqual([
      ['fx-web', 'Web'],
      ['fx-spa', 'SPA'],
      [one.json['client_id'], 'Registered'],
    ]);
    const two = await register(second, REGISTRATION);
    const reference = await mock({ seed: 'restart' });
    await register(reference, REGISTRATION);
    expect(two.text).toBe((await register(reference, REGISTRATION)).text);
  });

  it('a fixture whose id a registration already holds is skipped', async () => {
    const dir = freshDir();
    const db = join(dir, 'db.json');
    const first = await mock({ db });
    const registered = await register(first, REGISTRATION);
    await first.close();
    const id = registered.json['client_id'] as string;
    const second = await mock({ db, fixtures: [{ ...WEB, client_id: id, client_name: 'Fixture' }] });
    expect(second.clients()).toHaveLength(1);
    expect(second.clients()[0]).toMatchObject({ client_id: id, client_name: 'Registered' });
  });
});

describe('fixtures: reset brings them back', () => {
  it('POST /__dcr/reset restores the fixtures as loaded, forgets the rest and rewinds the sequence', async () => {
    const dir = freshDir();
    const db = join(dir, 'db.json');
    const m = await mock({ db, seed: 'reset', fixtures: [WEB, SPA] });
    const initial = m.clients();
    const first = await register(m, REGISTRATION);
    // Change the fixtures every way a user can: delete one, edit one over json-server's REST routes.
    expect((await fetch(`${m.url}/__dcr/clients/fx-spa`, { method: 'DELETE' })).status).toBe(204);
    const patch = await fetch(`${m.url}/clients/fx-web`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Patched' }),
    });
    expect(patch.status).toBe(200);
    expect(m.clients().map((c) => c.client_name)).toEqual(['Patched', 'Registered']);

    expect((await fetch(`${m.url}/__dcr/reset`, { method: 'POST' })).status).toBe(204);
    expect(m.clients()).toEqual(initial);
    expect(JSON.parse(readFileSync(db, 'utf8')).clients).toEqual(initial);
    expect((await register(m, REGISTRATION)).text).toBe(first.text);

    // reset() from code does the same, and again after a second round of changes.
    await fetch(`${m.url}/__dcr/clients/fx-web`, { method: 'DELETE' });
    await m.reset();
    expect(m.clients()).toEqual(initial);
  });
});

describe('fixtures: at the CLI', () => {
  it('--fixtures FILE with a bad entry exits 2 with one line naming it', async () => {
    const dir = freshDir();
    const file = join(dir, 'clients.json');
    writeJson(file, {
      clients: [WEB, SPA, { ...SPA, client_id: 'fx-2', redirect_uris: ['https://a.example/cb#frag'] }],
    });
    const result = await runNode([CLI, '--port', '0', '--db', ':memory:', '--fixtures', file], {
      deadlineMs: 10_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `[dcr-mock] Failed to load the fixtures from ${file}: fixtures[2].redirect_uris[0] must not contain a fragment (#). Fix that client or remove it.\n`,
    );
  });

  it('DCR_MOCK_FIXTURES loads a file; the banner counts the clients; SIGTERM exits 0', async () => {
    const dir = freshDir();
    const file = join(dir, 'clients.json');
    writeJson(file, [WEB, SPA]);
    const cli = await startCli(['--port', '0', '--db', ':memory:', '--quiet'], { env: { DCR_MOCK_FIXTURES: file } });
    const clients = (await json(`${cli.url}/__dcr/clients`)) as Array<{ client_id: string }>;
    expect(clients.map((c) => c.client_id)).toEqual(['fx-web', 'fx-spa']);
    await cli.stop();
    const { code, signal } = await cli.exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toContain(`\nfixtures: 2 clients from ${file}, 2 newly stored\n`);
  });
});
