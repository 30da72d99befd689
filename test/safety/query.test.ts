import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getProperty } from 'dot-prop';
import fc from 'fast-check';
import { Low, Memory } from 'lowdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPropertyPath } from '../../src/json-server-guard.js';
import type { RunningServer } from '../../src/server.js';
import { send } from '../support/http.js';
import { register, start, tempDir } from '../support/server.js';

describe('?__fail= with a "?" in its value (legal unencoded in a query)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it.each([
    ['rate_limited:client_name=/^a?b$/', 'b', 429],
    ['rate_limited:client_name=/^a?b$/', 'c', 201],
    ['rate_limited:client_name=?', 'what?', 429],
  ])('%s with client_name %s gets %i', async (spec, name, status) => {
    const url = `${server.registrationEndpoint}?__fail=${spec}`;
    const res = await register(
      { registrationEndpoint: url },
      { client_name: name, redirect_uris: ['https://a.example/cb'] },
    );
    expect(res.status, res.text).toBe(status);
  });
});

/** A db.json with `count` clients in the shape dcr-mock writes, and an empty `notes` collection. */
function writeStore(path: string, count: number): void {
  const clients = Array.from({ length: count }, (_, i) => {
    const id = `tpc_test${String(i).padStart(28, '0')}`;
    return {
      id,
      client_id: id,
      client_name: `client ${i}`,
      client_secret: createHash('sha256').update(String(i)).digest('base64url'),
      redirect_uris: [`https://app${i % 7}.example/cb`],
      created_at: '2026-01-01T00:00:00.000Z',
    };
  });
  writeFileSync(path, JSON.stringify({ clients, notes: [], meta: { sequence: count, epoch: 0 } }));
}

/** json-server alone over a copy of `server`'s data: the oracle for what dcr-mock lets through. */
async function plainJsonServer(server: RunningServer): Promise<{ url: string; close: () => void }> {
  const db = new Low(new Memory<unknown>(), structuredClone(server.store.db.data));
  const { createApp } = (await import('json-server/lib/app.js')) as unknown as {
    createApp: (db: Low<unknown>) => { attach: (req: unknown, res: unknown) => void; onError: unknown };
  };
  const app = createApp(db);
  // json-server logs each error it answers with a 500: the oracle's 500s are what these tests look for.
  app.onError = (_err: unknown, _req: unknown, res: ServerResponse) => res.writeHead(500).end();
  const plain = createServer((req, res) => app.attach(req, res));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`, close: () => plain.close() };
}

const PATH_MESSAGE = 'must be a property path such as a.b or a[0]';

describe('json-server queries with a property path it cannot read', () => {
  let server: RunningServer;
  let plain: { url: string; close: () => void };
  beforeAll(async () => {
    const db = join(tempDir(), 'db.json');
    writeStore(db, 5);
    server = await start({ db });
    plain = await plainJsonServer(server);
  });
  afterAll(async () => {
    plain.close();
    await server.close();
  });

  it.each([
    ['/clients?a[b][c]=1', 'query parameter "a[b][c]"'],
    ['/clients?a%5Bb%5D%5Bc%5D=1', 'query parameter "a[b][c]"'],
    ['/clients?redirect_uris[x]=1', 'query parameter "redirect_uris[x]"'],
    ['/clients?a[=1&_page=1', 'query parameter "a["'],
    ['/clients?a[0]x=1', 'query parameter "a[0]x"'],
    ['/clients?a[b]_gt=1', 'query parameter "a[b]_gt"'],
    ['/clients?_sort=a[b]', '_sort field "a[b]"'],
    ['/clients?_sort=client_name,-a[', '_sort field "-a["'],
  ])('%s → 400: %s …', async (path, field) => {
    const res = await send(`${server.url}${path}`);
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: 'invalid_request', error_description: `${field} ${PATH_MESSAGE}` });
  });

  it('answers 400 where json-server alone answers 500, and as json-server does elsewhere', async () => {
    const path = fc.stringMatching(/^[a-z_0-9.[\]\\-]{0,7}$/);
    const query = fc.oneof(
      path.map((p) => `${encodeURIComponent(p)}=1`),
      path.map((p) => `${encodeURIComponent(p)}_lt=1`),
      fc.array(path, { minLength: 1, maxLength: 3 }).map((ps) => `_sort=${encodeURIComponent(ps.join(','))}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(query, { minLength: 1, maxLength: 3 }), async (parts) => {
        const target = `/clients?${parts.join('&')}`;
        const [ours, theirs] = await Promise.all([send(`${server.url}${target}`), send(`${plain.url}${target}`)]);
        const refused = ours.status === 400 ? (JSON.parse(ours.text).error_description as string) : '';
        // A path refused whatever the data: json-server reads it only while items are left to filter or sort.
        const named = /^(?:query parameter|_sort field) "(.*)" must be a property path/.exec(refused)?.[1];
        if (named !== undefined) {
          const field = named.replace(/^-/, '').replace(/_(lt|lte|gt|gte|ne)$/, '');
          expect(() => getProperty({}, field), target).toThrow();
        } else if (theirs.status === 500) {
          expect(ours.status, target).toBe(400);
        } else {
          expect(ours.status, target).toBe(theirs.status);
          expect(ours.text, target).toBe(theirs.text);
        }
      }),
      { numRuns: 300, seed: 7591 },
    );
  });

  it('reads a property path as dot-prop does', () => {
    const path = fc.oneof(
      fc.stringMatching(/^[a-z0-9.[\]\\]{0,10}$/),
      fc
        .array(fc.constantFrom('a', '0', '.', '[', ']', '\\', '__proto__', 'constructor', 'prototype', 'é', '😀'))
        .map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(path, (p) => {
        let throws = false;
        try {
          getProperty({}, p);
        } catch {
          throws = true;
        }
        expect(isPropertyPath(p), p).toBe(!throws);
      }),
      { numRuns: 5000, seed: 7591 },
    );
  });
});

// json-server filters, sorts and embeds by walking the whole collection, the embedded one for each of its items:
// ?_embed=clients on 50,000 clients is 2.5 billion comparisons. dcr-mock reckons a query's work before json-server
// does it, and refuses one over its budget.
describe('json-server queries and the work they ask for', () => {
  const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('&');
  const first = `tpc_test${'0'.repeat(28)}`;

  describe('on 50,000 clients', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const db = join(tempDir(), 'db.json');
      writeStore(db, 50_000);
      server = await start({ db });
    });
    afterAll(() => server.close());

    it.each([
      ['?_embed=clients&_page=1', '_embed=clients', '/clients?_embed=clients&_page=1'],
      ['?_embed=notes', '_embed=notes', '/clients?_embed=notes'],
      ['?_sort=client_secret&_page=1', '_sort', '/clients?_sort=client_secret&_page=1'],
      ['600 filters', '600 filters', `/clients?${many(600, (i) => `k${i}=1`)}`],
      ['a filter on a 2,000-character path', '1 filter', `/clients?${'a'.repeat(2000)}=1`],
      ['/clients/:id with 1,000 × _embed=clients', '_embed', `/clients/${first}?${many(1000, () => '_embed=clients')}`],
    ])('%s → 400, naming %s', async (_label, part, path) => {
      const res = await send(`${server.url}${path}`);
      expect(res.status, res.text.slice(0, 300)).toBe(400);
      const { error, error_description: description } = JSON.parse(res.text) as Record<string, string>;
      expect(error).toBe('invalid_request');
      expect(description).toMatch(/^query must ask json-server for at most 2000000 units of work/);
      expect(description).toContain(`${part} over 50000 items`);
    });

    it.each([
      ['/clients?client_name=client%207', 1],
      ['/clients?client_name_ne=x&_page=1&_per_page=3', 3],
      ['/clients?redirect_uris[0]=https://app3.example/cb&_limit=2', 2],
      [`/clients?${many(3, (i) => `k${i}_ne=1`)}&_start=5&_end=9`, 4],
    ])('%s is answered: %i clients', async (path, count) => {
      const res = await send(`${server.url}${path}`);
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      const body = JSON.parse(res.text) as unknown[] | { data: unknown[] };
      expect(Array.isArray(body) ? body.length : body.data.length).toBe(count);
    });

    it('answers one client with its embedded list', async () => {
      const res = await send(`${server.url}/clients/${first}?_embed=notes`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ id: first, notes: [] });
    });
  });

  describe('on 200 clients', () => {
    let server: RunningServer;
    let plain: { url: string; close: () => void };
    beforeAll(async () => {
      const db = join(tempDir(), 'db.json');
      writeStore(db, 200);
      server = await start({ db });
      plain = await plainJsonServer(server);
    });
    afterAll(async () => {
      plain.close();
      await server.close();
    });

    it.each([
      ['?_embed=clients&_page=2', '/clients?_embed=clients&_page=2'],
      ['?_embed=notes&_embed=clients&_limit=3', '/clients?_embed=notes&_embed=clients&_limit=3'],
      ['?_sort=-client_secret,client_name…', '/clients?_sort=-client_secret,client_name&_page=3&_per_page=7'],
      ['40 filters', `/clients?${many(40, (i) => `k${i}=1`)}&_page=1`],
      ['/clients/:id?_embed=clients', `/clients/${first}?_embed=clients`],
      // Lists of more than 100 items go out 100 at a time, dcr-mock's own answers and json-server's.
      ['/clients', '/clients'],
      ['?_page=1&_per_page=150', '/clients?_page=1&_per_page=150'],
      ['?_embed=notes', '/clients?_embed=notes'],
      ['?client_name_ne=x&_page=1&_per_page=101', '/clients?client_name_ne=x&_page=1&_per_page=101'],
    ])('%s is answered as json-server answers it', async (_label, path) => {
      const [ours, theirs] = await Promise.all([send(`${server.url}${path}`), send(`${plain.url}${path}`)]);
      expect(ours.status).toBe(200);
      expect(ours.headers['content-type']).toBe(theirs.headers['content-type']);
      expect(ours.text).toBe(theirs.text);
    });
  });
});
