import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/processes.js';
import { register, tempDir } from '../support/server.js';

const dir = tempDir();

const REQUESTS = [
  { client_name: 'Web app', redirect_uris: ['http://localhost:3000/callback'] },
  { client_name: 'SPA', redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none' },
  { redirect_uris: ['http://127.0.0.1:8080/cb'], grant_types: ['authorization_code', 'refresh_token'] },
  { client_name: 'Native', redirect_uris: ['com.example.app:/oauth2redirect'] },
];

interface Run {
  /** The response bodies, byte for byte. */
  bodies: string[];
  credentials: Array<{ client_id: unknown; client_secret: unknown }>;
}

/** Starts a process, registers `requests` one after another, then stops it with `stopWith`. */
async function runMock(
  args: string[],
  requests: readonly object[],
  stopWith: NodeJS.Signals = 'SIGTERM',
  cwd?: string,
): Promise<Run> {
  const mock = await startCli(['--port', '0', '--quiet', ...args], { cwd });
  const run: Run = { bodies: [], credentials: [] };
  try {
    for (const body of requests) {
      const res = await register({ registrationEndpoint: `${mock.url}/oidc/register` }, body);
      expect(res.status, res.text).toBe(201);
      run.bodies.push(res.text);
      run.credentials.push({ client_id: res.json['client_id'], client_secret: res.json['client_secret'] });
    }
  } finally {
    await mock.stop(stopWith);
  }
  return run;
}

describe('deterministic credentials across processes', () => {
  let uninterrupted: Run;
  beforeAll(async () => {
    uninterrupted = await runMock(['--seed', 'ci', '--db', join(dir, 'uninterrupted.json')], REQUESTS);
  });

  it('two processes with the same --seed and fresh db files give byte-identical bodies', async () => {
    const other = await runMock(['--seed', 'ci', '--db', join(dir, 'other.json')], REQUESTS.slice(0, 3));
    expect(other.bodies).toEqual(uninterrupted.bodies.slice(0, 3));
    expect(new Set(other.credentials.map((c) => c.client_id)).size).toBe(3);
  });

  it('a different seed gives different credentials', async () => {
    const other = await runMock(['--seed', 'ci-2', '--db', ':memory:'], REQUESTS);
    for (const [i, { client_id, client_secret }] of other.credentials.entries()) {
      expect(client_id).toMatch(/^tpc_[A-Za-z0-9]{32}$/);
      expect(client_id).not.toBe(uninterrupted.credentials[i]?.client_id);
      // The second request asks for no secret.
      if (i !== 1) expect(client_secret).not.toBe(uninterrupted.credentials[i]?.client_secret);
    }
  });

  it('a numeric seed works, the same from a flag and from a config file', async () => {
    writeFileSync(join(dir, 'dcr-mock.config.json'), JSON.stringify({ seed: 42 }));
    const fromFile = await runMock(['--db', ':memory:'], REQUESTS.slice(0, 2), 'SIGTERM', dir);
    const fromFlag = await runMock(['--seed', '42', '--db', ':memory:'], REQUESTS.slice(0, 2));
    expect(fromFile.bodies).toEqual(fromFlag.bodies);
    expect(fromFlag.credentials[0]?.client_id).not.toBe(uninterrupted.credentials[0]?.client_id);
  });

  it('the default seed gives the same first client in any run, on any machine', async () => {
    const { credentials } = await runMock(['--db', ':memory:'], REQUESTS.slice(0, 1));
    expect(credentials[0]).toEqual({
      client_id: 'tpc_w0RGHfqyCUw75jgPiVl5fMXNdWSl6YC1',
      client_secret: '5flr660mWkKgwUww5jVwDGTu3w42uGU-3n32PGtkN17F6DmSqar7b2ncvETg7OCH',
    });
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)('a restart after %s on the same db continues the sequence', async (sig) => {
    const db = ['--seed', 'ci', '--db', join(dir, `restart-${sig}.json`)];
    const before = await runMock(db, REQUESTS.slice(0, 3), sig);
    const after = await runMock(db, REQUESTS.slice(3));
    expect([...before.bodies, ...after.bodies]).toEqual(uninterrupted.bodies);
  });
});
