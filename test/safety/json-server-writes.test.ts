import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_HEADERS, registration, send } from '../support/http.js';
import { type Cli, startCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

const write = (child: Cli, method: string, path: string, body: string) =>
  send(`${child.url}${path}`, { method, body, headers: JSON_HEADERS, timeoutMs: 5_000 });
const register = (child: Cli, name: string) =>
  send(`${child.url}/oidc/register`, {
    method: 'POST',
    body: registration(name),
    headers: JSON_HEADERS,
    timeoutMs: 5_000,
  });

// json-server's routes share dcr-mock's store: what they write must leave it usable, now and at the next start.
describe('writes through json-server routes', () => {
  const dir = tempDir();

  it.each([
    ['PUT', '/meta', '{"x":1}'],
    ['PATCH', '/meta', '{"sequence":"7"}'],
    ['PUT', '/__proto__', '{"polluted":"yes"}'],
    ['PUT', '/constructor', '{"prototype":{"polluted":"yes"}}'],
    ['POST', '/meta', '{}'],
  ])('%s %s is refused, and registration goes on with new ids', async (method, path, body) => {
    const child = await startCli(['--port', '0', '--db', ':memory:', '--quiet']);
    const first = await register(child, 'a');
    const res = await write(child, method, path, body);
    expect(res.status, res.text).toBe(405);
    const [second, third] = [await register(child, 'b'), await register(child, 'c')];
    const ids = [first, second, third].map((r) => JSON.parse(r.text).client_id as string);
    expect(new Set(ids).size).toBe(3);
    const health = JSON.parse((await send(`${child.url}/__dcr/health`)).text) as { sequence: number };
    expect(health.sequence).toBe(3);
    expect(await child.stop()).toBe(0);
  });

  it('a client cannot be added, or lose its client_id, over REST; an edit survives a restart', async () => {
    const db = join(dir, 'db.json');
    let child = await startCli(['--port', '0', '--db', db, '--quiet']);
    const issued = JSON.parse((await register(child, 'a')).text) as { client_id: string };
    expect((await write(child, 'POST', '/clients', '{"client_name":"by hand"}')).status).toBe(405);
    expect(
      (await write(child, 'PUT', `/clients/${issued.client_id}`, '{"client_name":"x","client_id":42}')).status,
    ).toBe(400);
    const renamed = await write(child, 'PATCH', `/clients/${issued.client_id}`, '{"client_name":"renamed"}');
    expect(renamed.status).toBe(200);
    expect(await child.stop()).toBe(0);

    child = await startCli(['--port', '0', '--db', db, '--quiet']);
    const clients = JSON.parse((await send(`${child.url}/clients`)).text) as Array<{
      client_id: string;
      client_name: string;
    }>;
    expect(clients.map((c) => [c.client_id, c.client_name])).toEqual([[issued.client_id, 'renamed']]);
    expect(JSON.parse((await register(child, 'b')).text).client_id).not.toBe(issued.client_id);
    expect(await child.stop()).toBe(0);
  });

  it('a malformed or oversized body, or a query json-server cannot answer, gets a 4xx, not a 500 with a stack trace', async () => {
    const child = await startCli(['--port', '0', '--db', ':memory:', '--quiet']);
    expect((await write(child, 'POST', '/clients', '{"client_name":')).status).toBe(400);
    expect((await write(child, 'PATCH', '/clients/x', 'not json')).status).toBe(400);
    expect((await write(child, 'POST', '/clients', JSON.stringify({ client_name: 'x'.repeat(70_000) }))).status).toBe(
      413,
    );
    await register(child, 'a');
    expect((await send(`${child.url}/clients?_embed=meta`)).status).toBe(400);
    expect((await send(`${child.url}/__dcr/health`)).status).toBe(200);
    expect(await child.stop()).toBe(0);
    expect(child.stderr()).toBe('');
  });

  it('a write that db.json does not take is answered 503 and taken back: the store goes on as it was', async () => {
    const db = join(dir, 'unwritable.json');
    writeFileSync(db, JSON.stringify({ clients: [], notes: [], meta: { sequence: 0, epoch: 0 } }));
    let child = await startCli(['--port', '0', '--db', db, '--quiet']);
    const issued = JSON.parse((await register(child, 'a')).text) as { client_id: string };
    const path = `/clients/${issued.client_id}`;
    expect((await write(child, 'PATCH', path, '{"client_name":"kept"}')).status).toBe(200);
    expect((await write(child, 'POST', '/notes', `{"id":"n1","clientId":"${issued.client_id}"}`)).status).toBe(201);
    const shown = async () => {
      const clients = JSON.parse((await send(`${child.url}/clients`)).text) as Array<Record<string, unknown>>;
      const notes = JSON.parse((await send(`${child.url}/notes`)).text) as unknown;
      return { clients: clients.map((c) => [c['client_id'], c['client_name']]), notes };
    };
    const before = await shown();
    expect(before).toEqual({
      clients: [[issued.client_id, 'kept']],
      notes: [{ id: 'n1', clientId: issued.client_id }],
    });
    // db.json turned into a folder with a file in it: the next full write of db.json fails, whoever runs as.
    const saved = readFileSync(db);
    rmSync(db);
    mkdirSync(db);
    writeFileSync(join(db, 'in-the-way'), '');
    // One of each change json-server makes (lowdb retries the failed rename for a second each time).
    const cases = [
      ['PATCH', path, '{"client_name":"lost"}'],
      // json-server also sets the notes' clientId to null, and with _dependent drops those notes.
      ['DELETE', `${path}?_dependent=notes`, ''],
      ['POST', '/notes', '{"id":"n2"}'],
    ] as const;
    for (const [method, where, body] of cases) {
      const failed = await write(child, method, where, body);
      expect(failed.status, `${method} ${where}: ${failed.text}`).toBe(503);
      expect(JSON.parse(failed.text)).toMatchObject({
        error: 'temporarily_unavailable',
        error_description: expect.stringMatching(/could not write .*taken back/),
      });
      expect(await shown(), `${method} ${where}`).toEqual(before);
      expect((await send(`${child.url}/__dcr/clients`)).status).toBe(200);
    }
    const second = JSON.parse((await register(child, 'b')).text) as { client_id: string };
    rmSync(db, { recursive: true });
    writeFileSync(db, saved);
    expect(await child.stop()).toBe(0);

    child = await startCli(['--port', '0', '--db', db, '--quiet']);
    expect(await shown()).toEqual({ ...before, clients: [...before.clients, [second.client_id, 'b']] });
    expect(await child.stop()).toBe(0);
  });
});
