import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { startCli } from '../support/processes.js';
import { register, start, tempDir } from '../support/server.js';

const cb = (name: string) => `https://${name}.example/cb`;
/** The requests of four tests sharing one server; "twin" is sent twice. */
const REQUESTS: Record<string, Record<string, unknown>> = {
  alpha: { client_name: 'alpha', redirect_uris: [cb('alpha')] },
  beta: { redirect_uris: [cb('beta')], client_name: 'beta', grant_types: ['authorization_code', 'refresh_token'] },
  gamma: { client_name: 'gamma', redirect_uris: [cb('gamma')], token_endpoint_auth_method: 'none' },
  twin: { client_name: 'twin', redirect_uris: [cb('twin')] },
};

async function registerAll(url: string, order: string[]) {
  const ids: Record<string, string[]> = {};
  for (const name of order) {
    const res = await register({ registrationEndpoint: `${url}/oidc/register` }, REQUESTS[name]);
    expect(res.status).toBe(201);
    (ids[name] ??= []).push(
      `${res.json['client_id'] as string} ${(res.json['client_secret'] as string | undefined) ?? ''}`,
    );
  }
  return ids;
}

describe('--ids content', () => {
  it('gives the same credentials to the same requests sent in two orders, by two processes', async () => {
    const orders = [
      ['alpha', 'beta', 'twin', 'gamma', 'twin'],
      ['twin', 'gamma', 'twin', 'beta', 'alpha'],
    ];
    const results = [];
    for (const order of orders) {
      const cli = await startCli(['--port', '0', '--db', ':memory:', '--ids', 'content', '--quiet']);
      try {
        results.push(await registerAll(cli.url, order));
      } finally {
        await cli.stop();
      }
    }
    expect(results[1]).toEqual(results[0]);
    expect(new Set(Object.values(results[0]!).flat()).size).toBe(5);
  });

  it('in parallel too', async () => {
    const cli = await startCli(['--port', '0', '--db', ':memory:', '--ids', 'content', '--quiet'], {
      env: { DCR_MOCK_SEED: 'parallel' },
    });
    const other = await startCli([
      '--port',
      '0',
      '--db',
      ':memory:',
      '--ids',
      'content',
      '--quiet',
      '--seed',
      'parallel',
    ]);
    try {
      const names = ['alpha', 'beta', 'gamma'];
      const all = async (url: string, order: string[]) =>
        Object.fromEntries(await Promise.all(order.map(async (n) => [n, (await registerAll(url, [n]))[n]])));
      expect(await all(cli.url, names)).toEqual(await all(other.url, [...names].reverse()));
    } finally {
      await cli.stop();
      await other.stop();
    }
  });

  it('ignores key order, unknown fields and nulls: only the canonical metadata counts', async () => {
    const server = await start({ ids: 'content' });
    const reference = await start({ ids: 'content' });
    try {
      const a = await register(server, { client_name: 'x', redirect_uris: [cb('x')], extra: 1, scope: null });
      const b = await register(reference, { redirect_uris: [cb('x')], client_name: 'x' });
      expect(a.json['client_id']).toBe(b.json['client_id']);
    } finally {
      await server.close();
      await reference.close();
    }
  });

  it('depends on the seed and the profile prefix like sequence ids', async () => {
    const ids = [];
    for (const options of [{ seed: 'a' }, { seed: 'b' }, { seed: 'a', profile: 'auth0-permissive' }]) {
      const server = await start({ ids: 'content', ...options });
      try {
        ids.push((await register(server, REQUESTS['alpha'])).json['client_id'] as string);
      } finally {
        await server.close();
      }
    }
    expect(ids[0]).toMatch(/^tpc_/);
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[2]).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('differs from --ids sequence', async () => {
    const content = await start({ ids: 'content' });
    const sequence = await start({});
    try {
      const [a, b] = await Promise.all([register(content, REQUESTS['alpha']), register(sequence, REQUESTS['alpha'])]);
      expect(a.json['client_id']).not.toBe(b.json['client_id']);
    } finally {
      await content.close();
      await sequence.close();
    }
  });
});

describe('--ids content: the counters survive', () => {
  const dir = tempDir();
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const open = async (db: string) => {
    const server = await start({ ids: 'content', db: join(dir, db) });
    servers.push(server);
    return server;
  };
  const id = async (server: RunningServer, name: string) =>
    (await register(server, REQUESTS[name])).json['client_id'] as string;

  it('a restart and a deletion, but not a reset', async () => {
    const reference = await start({ ids: 'content' });
    servers.push(reference);
    const expected = [];
    for (let i = 0; i < 5; i++) expected.push(await id(reference, 'twin'));
    expect(new Set(expected).size).toBe(5);

    let server = await open('db.json');
    expect(await id(server, 'twin')).toBe(expected[0]);
    await server.close();

    server = await open('db.json');
    expect(await id(server, 'twin')).toBe(expected[1]);
    // A deleted client does not give its credentials back.
    await fetch(`${server.url}/__dcr/clients/${expected[1]}`, { method: 'DELETE' });
    await server.close();

    server = await open('db.json');
    expect(await id(server, 'twin')).toBe(expected[2]);
    expect(server.store.clients.map((c) => c.client_id)).toEqual([expected[0], expected[2]]);
    await fetch(`${server.url}/__dcr/reset`, { method: 'POST' });
    expect(await id(server, 'twin')).toBe(expected[0]);
  });

  it('counted again from the stored clients when meta.content is missing (a client replayed from the journal)', async () => {
    const first = await start({ ids: 'content' });
    servers.push(first);
    const ids = [await id(first, 'twin'), await id(first, 'twin'), await id(first, 'twin')];
    const clients = first.store.clients.slice(0, 2);
    writeFileSync(join(dir, 'replayed.json'), JSON.stringify({ clients, meta: { sequence: 2, epoch: 0 } }));
    const server = await open('replayed.json');
    expect(await id(server, 'twin')).toBe(ids[2]);
  });
});
