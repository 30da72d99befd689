import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, readConfigFile, resolveConfig } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';
import { JSON_HEADERS, send } from '../support/http.js';
import { runMain } from '../support/main.js';
import { startCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

// JSON.parse takes nesting far deeper than JSON.stringify (or any recursive walk) can give back.
const DEEP = ['[', ']', '{"a":', '}'] as const;
const deep = (open: string, close: string) => {
  const depth = Math.floor(60_000 / (open.length + close.length));
  return `${open.repeat(depth)}null${close.repeat(depth)}`;
};

describe('deeply nested JSON bodies', () => {
  it('are refused with a 4xx and do not crash the server (journal, request log, control plane)', async () => {
    const child = await startCli(['--port', '0', '--db', ':memory:', '--quiet']);
    const cases = [
      ['/oidc/register', deep(DEEP[0], DEEP[1])],
      ['/oidc/register', deep(DEEP[2], DEEP[3])],
      ['/oidc/register', `{"redirect_uris":["https://a.example/cb"],"extra":${deep(DEEP[0], DEEP[1])}}`],
      ['/__dcr/failures', deep(DEEP[0], DEEP[1])],
      ['/__dcr/failures', `{"mode":"rate_limited","times":${deep(DEEP[0], DEEP[1])}}`],
      ['/__dcr/failures', `{"mode":"delay","ms":${deep(DEEP[2], DEEP[3])}}`],
    ] as const;
    for (const [path, body] of cases) {
      const reply = await send(`${child.url}${path}`, { method: 'POST', body, headers: JSON_HEADERS });
      expect(reply.status, `${path} ${body.slice(0, 40)}: ${reply.text}`).toBeLessThan(500);
      expect((await send(`${child.url}/__dcr/health`)).status).toBe(200);
    }
    const journal = await send(`${child.url}/__dcr/requests`);
    expect(journal.status).toBe(200);
    expect(await child.stop()).toBe(0);
    expect(child.stderr()).toBe('');
  });
});

describe('a deeply nested write through json-server', () => {
  // 40 KB of nesting: JSON.parse takes it, but db.json, the client lists and the journal could no longer be written.
  const within = (n: number) => `${'{"a":'.repeat(n)}null${'}'.repeat(n)}`;
  const cases = [
    ['PATCH', '/clients/@id', `{"x":${within(Math.floor(40_000 / 6))}}`],
    ['PATCH', '/clients/@id', `{"x":${deep(DEEP[0], DEEP[1])}}`],
    ['PUT', '/clients/@id', `{"client_id":"@id","x":${deep(DEEP[2], DEEP[3])}}`],
    ['POST', '/notes', `{"x":[${deep(DEEP[0], DEEP[1])}]}`],
    ['PATCH', '/clients/@id', `{"x":${within(32)}}`],
  ] as const;

  it('is refused with a 400 that says why, and the store goes on: lists, registration, db.json, the stop', async () => {
    const dir = tempDir();
    const db = join(dir, 'db.json');
    writeFileSync(db, JSON.stringify({ clients: [], notes: [], meta: { sequence: 0, epoch: 0 } }));
    const child = await startCli(['--port', '0', '--db', db, '--quiet']);
    const first = await send(child.registrationEndpoint, {
      method: 'POST',
      body: '{"redirect_uris":["https://a.example/cb"]}',
      headers: JSON_HEADERS,
    });
    const id = JSON.parse(first.text).client_id as string;
    for (const [method, path, body] of cases) {
      const reply = await send(`${child.url}${path.replace('@id', id)}`, {
        method,
        body: body.replaceAll('@id', id),
        headers: JSON_HEADERS,
      });
      expect(reply.status, `${method} ${path} ${body.slice(0, 30)}: ${reply.text.slice(0, 200)}`).toBe(400);
      expect(JSON.parse(reply.text)).toEqual({
        error: 'invalid_request',
        error_description: 'request body must nest objects and arrays at most 32 levels deep',
      });
      for (const list of ['/clients', '/__dcr/clients', `/clients/${id}`]) {
        expect((await send(`${child.url}${list}`)).status, list).toBe(200);
      }
    }
    // Nesting that the limit allows is stored as any other edit.
    const allowed = await send(`${child.url}/clients/${id}`, {
      method: 'PATCH',
      body: `{"x":${within(31)}}`,
      headers: JSON_HEADERS,
    });
    expect(allowed.status, allowed.text).toBe(200);
    const second = await send(child.registrationEndpoint, {
      method: 'POST',
      body: '{"redirect_uris":["https://a.example/cb"]}',
      headers: JSON_HEADERS,
    });
    expect(second.status).toBe(201);
    expect(await child.stop()).toBe(0);
    expect(child.stderr()).toBe('');
    const stored = JSON.parse(readFileSync(db, 'utf8')) as {
      clients: Array<Record<string, unknown>>;
      notes: unknown[];
    };
    expect(stored.clients.map((c) => c['client_id'])).toEqual([id, JSON.parse(second.text).client_id]);
    expect(JSON.stringify(stored.clients[0]?.['x'])).toBe(within(31));
    expect(stored.notes).toEqual([]);
  });
});

describe('a deeply nested value in a config file', () => {
  const dir = tempDir();

  it.each(['port', 'latency'])('"%s": exits 2 with a one-line reason, like any bad option', async (key) => {
    const file = join(dir, `deep-${key}.config.json`);
    writeFileSync(file, `{"${key}":${deep(DEEP[0], DEEP[1])}}`);
    const run = await runMain(['--config', file, '--db', ':memory:'], { deadlineMs: 15_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.startsWith(`[dcr-mock] Failed to read the config file ${file}: "${key}" must be`)).toBe(true);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is a StartupError (exit 2, one line) for every option, as an array or an object, alone or inside an array', () => {
    const keys = [...Object.keys(DEFAULTS), 'fail'];
    const shapes = [deep(DEEP[0], DEEP[1]), deep(DEEP[2], DEEP[3])].flatMap((v) => [v, `[${v}]`]);
    for (const key of keys) {
      for (const shape of shapes) {
        const file = join(dir, 'deep.config.json');
        writeFileSync(file, `{"${key}":${shape}}`);
        let thrown: unknown;
        try {
          resolveConfig(readConfigFile(file, true));
        } catch (err) {
          thrown = err;
        }
        const where = `${key} = ${shape.slice(0, 12)}…`;
        expect(thrown, where).toBeInstanceOf(StartupError);
        expect((thrown as StartupError).exitCode, where).toBe(2);
        expect((thrown as StartupError).message.split('\n'), where).toHaveLength(1);
      }
    }
  });
});
