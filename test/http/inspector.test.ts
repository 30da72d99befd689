import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { register, start } from '../support/server.js';

/** A GET whose path is sent exactly as written (fetch would normalise `..` and `%2e%2e` away). */
function rawGet(server: RunningServer, path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(server.url);
  return new Promise<{ status: number; type: string; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            headers: res.headers,
            body,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('GET / (the inspector)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it.each([
    { path: '/', type: 'text/html; charset=utf-8', contains: '<title>dcr-mock inspector</title>' },
    { path: '/?anything=1', type: 'text/html; charset=utf-8', contains: '<title>dcr-mock inspector</title>' },
    { path: '/__inspector/inspector.js', type: 'text/javascript; charset=utf-8', contains: '{BASE}__dcr/' },
    { path: '/__inspector/render.js', type: 'text/javascript; charset=utf-8', contains: 'export function drawClients' },
    {
      path: '/__inspector/render-journal.js',
      type: 'text/javascript; charset=utf-8',
      contains: 'export function drawJournal',
    },
    {
      path: '/__inspector/rule-form.js',
      type: 'text/javascript; charset=utf-8',
      contains: 'export function ruleFromForm',
    },
    {
      path: '/__inspector/render-authorization.js',
      type: 'text/javascript; charset=utf-8',
      contains: 'export function drawTokens',
    },
    { path: '/__inspector/inspector.css', type: 'text/css; charset=utf-8', contains: '.topbar' },
  ])('$path is served as $type', async ({ path, type, contains }) => {
    const res = await rawGet(server, path);
    expect(res.status).toBe(200);
    expect(res.type).toBe(type);
    expect(res.body).toContain(contains);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('wins over json-server, whose own index lives at / too', async () => {
    const res = await rawGet(server, '/');
    expect(res.body).toContain('id="journal"');
    expect(res.body).not.toContain('json-server');
  });

  // Anything that is not one of the fixed names falls through to json-server, which has no such
  // resource: never a file from the disk.
  it.each([
    '/__inspector/../package.json',
    '/__inspector/..%2fpackage.json',
    '/__inspector/%2e%2e/package.json',
    '/__inspector/%2e%2e%2fpackage.json',
    '/__inspector/%2E%2E%2F%2E%2E%2Fpackage.json',
    '/__inspector/..%5cpackage.json',
    '/__inspector/assets.ts',
    '/__inspector/inspector.js%00.html',
    '/__inspector/render-authorization.ts',
    '/__inspector/./inspector.js',
    '/__inspector//inspector.js',
    '/__inspector/',
    '/__inspector/index.html',
    '/inspector.js',
    '/index.html',
    '/..%2f..%2fetc%2fpasswd',
  ])('%s is not served', async (path) => {
    const res = await rawGet(server, path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('"name": "dcr-mock"');
    expect(res.body).not.toContain('readFile');
    expect(res.body).not.toContain('root:');
  });

  it('is not journaled, nor are its files', async () => {
    await fetch(`${server.url}/__dcr/requests`, { method: 'DELETE' });
    await rawGet(server, '/');
    await rawGet(server, '/__inspector/inspector.js');
    await register(server, { redirect_uris: ['http://localhost/cb'] });
    const journal = await (await fetch(`${server.url}/__dcr/requests`)).json();
    expect(journal.map((e: { path: string }) => e.path)).toEqual(['/oidc/register']);
  });
});

describe('GET / with an admin token', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ adminToken: 's3cret' });
  });
  afterAll(() => server.close());

  it('serves the page and its files without the token; the data behind them needs it', async () => {
    expect((await rawGet(server, '/')).status).toBe(200);
    expect((await rawGet(server, '/__inspector/inspector.js')).status).toBe(200);
    expect((await rawGet(server, '/__dcr/clients')).status).toBe(401);
    expect((await rawGet(server, '/__dcr/clients', { authorization: 'Bearer s3cret' })).status).toBe(200);
  });
});
