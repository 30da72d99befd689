import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { startCli } from '../support/processes.js';
import { register, start, tempDir } from '../support/server.js';

/** json-server's routes sit behind a guard: nothing sent through them may break db.json or reach a 5xx. */
describe('json-server routes over the same db', () => {
  let server: RunningServer;
  let id: string;
  const db = join(tempDir(), 'db.json');
  beforeAll(async () => {
    server = await start({ db });
    id = (await register(server, { redirect_uris: ['http://localhost/cb'] })).json['client_id'] as string;
  });
  afterAll(() => server.close());

  const send = (method: string, path: string, body?: string) =>
    fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });

  it('lists and reads the registered clients', async () => {
    const list = (await (await send('GET', '/clients')).json()) as Array<{ client_id: string }>;
    expect(list.map((c) => c.client_id)).toEqual([id]);
    expect(((await (await send('GET', `/clients/${id}`)).json()) as { id: string }).id).toBe(id);
  });

  it.each([
    ['PUT', '/clients/x', '{bad', 400, 'request body must be valid JSON'],
    ['PATCH', '/clients/x', '{bad', 400, 'request body must be valid JSON'],
    ['PATCH', '/clients/x', '[1,2]', 400, 'request body must be a JSON object'],
    ['POST', '/things', '{"a":1}', 405, '"things" must be a collection'],
    ['POST', '/clients', '{"client_id":"x"}', 405, 'register clients with POST /oidc/register'],
    ['PUT', '/meta', '{"sequence":"x"}', 405, 'meta is kept by dcr-mock'],
    ['PATCH', '/meta', '{"sequence":0}', 405, 'meta is kept by dcr-mock'],
    ['POST', '/__proto__', '{"polluted":true}', 405, 'must be a collection'],
    ['GET', '/constructor', undefined, 400, 'is not a collection name'],
  ])('%s %s %s → %i', async (method, path, body, status, message) => {
    const res = await send(method, path, body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error_description: string }).error_description).toContain(message);
  });

  it('refuses a write that would change or drop a client_id', async () => {
    expect((await send('PATCH', `/clients/${id}`, '{"client_id":"other"}')).status).toBe(400);
    expect((await send('PUT', `/clients/${id}`, '{"client_name":"no id"}')).status).toBe(400);
  });

  it('lets a harmless edit through, durably, and keeps db.json in shape', async () => {
    const res = await send('PATCH', `/clients/${id}`, '{"client_name":"renamed"}');
    expect(res.status).toBe(200);
    expect(server.store.get(id)?.['client_name']).toBe('renamed');
    const onDisk = JSON.parse(readFileSync(db, 'utf8')) as { clients: Array<Record<string, unknown>>; meta: unknown };
    expect(onDisk.clients[0]?.['client_name']).toBe('renamed');
    expect(onDisk.meta).toEqual({ sequence: 1, epoch: 0 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('json-server under NODE_ENV=production', () => {
  it('serves its routes although no ./public folder exists', async () => {
    // A child process: json-server reads NODE_ENV once, when first imported.
    const cwd = tempDir();
    const cli = await startCli(['--port', '0', '--db', ':memory:', '--quiet'], {
      cwd,
      env: { NODE_ENV: 'production' },
    });
    try {
      const res = await fetch(`${cli.url}/clients`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([]);
    } finally {
      await cli.stop();
    }
  });
});

describe('json-server, loaded on first use', () => {
  it('is not imported at start-up; requests that come while it loads are all answered', async () => {
    // A module hook that names every json-server module the process resolves, on stderr.
    const hook = join(tempDir(), 'name-json-server.mjs');
    const resolve = `export async function resolve(specifier, context, next) {
      const found = await next(specifier, context);
      if (found.url.includes('/node_modules/json-server/')) process.stderr.write('json-server loaded\\n');
      return found;
    }`;
    writeFileSync(
      hook,
      `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolve)}));\n`,
    );
    const cli = await startCli(['--port', '0', '--db', ':memory:', '--quiet'], {
      command: [process.execPath, '--import', hook],
    });
    try {
      const registered = await fetch(cli.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"redirect_uris":["https://a.example/cb"]}',
      });
      const { client_id: id } = (await registered.json()) as { client_id: string };
      // Paging alone is answered without json-server.
      expect((await fetch(`${cli.url}/clients?_page=1`)).status).toBe(200);
      expect(cli.stderr()).toBe('');

      type Ask = [method: string, path: string, body: string | undefined, status: number];
      const reads = (path: string): Ask[] => Array.from({ length: 8 }, () => ['GET', path, undefined, 200]);
      const asks: Ask[] = [
        ...reads(`/clients/${id}`),
        ...reads('/clients?client_name=My%20App'),
        ['GET', '/clients/none', undefined, 404],
        ['PATCH', `/clients/${id}`, '{"client_name":"renamed"}', 200],
      ];
      const answers = await Promise.all(
        asks.map(([method, path, body]) =>
          fetch(`${cli.url}${path}`, { method, body, headers: { 'content-type': 'application/json' } }),
        ),
      );
      expect(answers.map((res) => res.status)).toEqual(asks.map((ask) => ask[3]));
      expect(cli.stderr()).toMatch(/^json-server loaded\n/);
      const client = (await (await fetch(`${cli.url}/clients/${id}`)).json()) as { client_name: string };
      expect(client.client_name).toBe('renamed');
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
