import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { readBytes } from '../support/files.js';
import { getJson, postRaw } from '../support/http.js';
import { register, start, tempDir } from '../support/server.js';

const CB = 'https://app.example.com/callback';
const URI = 'invalid_redirect_uri';
const META = 'invalid_client_metadata';

interface BadCase {
  name: string;
  /** Sent as it is. */
  body: string;
  /** Streamed without a Content-Length. */
  chunked?: boolean;
  status: number;
  error: string;
  /** What error_description must start with: "<field> must". */
  field: string;
}

const json = (value: unknown) => JSON.stringify(value);
const uris = (value: unknown) => json({ client_name: 'Bad', redirect_uris: value });
const withField = (field: string, value: unknown) => json({ redirect_uris: [CB], [field]: value });
const badUri = (name: string, value: unknown, field = 'redirect_uris'): BadCase => ({
  name,
  body: uris(value),
  status: 400,
  error: URI,
  field,
});
const badField = (field: string, value: unknown, why: string): BadCase => ({
  name: `${field} ${why}`,
  body: withField(field, value),
  status: 400,
  error: META,
  field,
});
const badBody = (name: string, body: string): BadCase => ({
  name,
  body,
  status: 400,
  error: META,
  field: 'request body',
});
/** A registration that would be fine but for its size. */
const OVERSIZED = json({ redirect_uris: [CB], client_name: 'x'.repeat(70 * 1024) });

const BAD: BadCase[] = [
  {
    name: 'redirect_uris missing',
    body: json({ client_name: 'Bad' }),
    status: 400,
    error: URI,
    field: 'redirect_uris',
  },
  badUri('redirect_uris null', null),
  badUri('redirect_uris empty', []),
  badUri('redirect_uris a string', CB),
  badUri('redirect_uris an object', { 0: CB }),
  badUri('redirect_uris entry a number', [42], 'redirect_uris[0]'),
  badUri('redirect_uris entry null after a good one', [CB, null], 'redirect_uris[1]'),
  badUri('redirect_uris entry an empty string', [''], 'redirect_uris[0]'),
  badUri('redirect_uris entry relative (path)', ['/callback'], 'redirect_uris[0]'),
  badUri('redirect_uris entry relative (no scheme)', ['app.example.com/callback'], 'redirect_uris[0]'),
  badUri('redirect_uris entry with a fragment', ['https://app.example.com/cb#done'], 'redirect_uris[0]'),
  badUri('redirect_uris entry with a wildcard host', ['https://*.example.com/cb'], 'redirect_uris[0]'),
  badUri('redirect_uris entry with a wildcard path', ['https://app.example.com/*'], 'redirect_uris[0]'),
  badUri('redirect_uris entry javascript:', ['javascript:alert(1)'], 'redirect_uris[0]'),
  badUri('redirect_uris entry data:', ['data:text/html,<b>hi</b>'], 'redirect_uris[0]'),
  badUri('redirect_uris entry with white space', ['https://app.example.com/cb '], 'redirect_uris[0]'),
  badUri('redirect_uris second entry bad', [CB, 'JavaScript:alert(1)'], 'redirect_uris[1]'),
  badField('client_name', 42, 'a number'),
  badField('grant_types', 'authorization_code', 'a string'),
  badField('grant_types', ['authorization_code', 1], 'with a number'),
  badField('response_types', 'code', 'a string'),
  badField('token_endpoint_auth_method', 'private_key_jwt', 'unknown'),
  badField('token_endpoint_auth_method', 1, 'a number'),
  badField('application_type', 'desktop', 'unknown'),
  badField('application_type', true, 'a boolean'),
  badField('client_uri', 'ftp://example.com', 'not http(s)'),
  badField('client_uri', 'example.com', 'not absolute'),
  badField('logo_uri', 'javascript:alert(1)', 'not http(s)'),
  badField('logo_uri', 7, 'a number'),
  badField('tos_uri', ['https://example.com/tos'], 'an array'),
  badField('policy_uri', 'mailto:legal@example.com', 'not http(s)'),
  badField('jwks_uri', 'keys.json', 'not absolute'),
  badField('contacts', 'ops@example.com', 'a string'),
  badField('contacts', [{ email: 'ops@example.com' }], 'with an object'),
  badField('scope', ['openid'], 'an array'),
  badField('software_id', 1, 'a number'),
  badField('software_version', 1.2, 'a number'),
  { ...badField('software_statement', { alg: 'none' }, 'an object'), error: 'invalid_software_statement' },
  badBody('body malformed JSON', '{"redirect_uris": ["https://app.example.com/cb"'),
  badBody('body a JSON array', json([{ redirect_uris: [CB] }])),
  badBody('body a JSON string', json('redirect_uris')),
  badBody('body a JSON number', '42'),
  badBody('body JSON null', 'null'),
  badBody('body empty', ''),
  { name: 'body over 64 KiB', body: OVERSIZED, status: 413, error: 'invalid_request', field: 'request body' },
  {
    name: 'body over 64 KiB, chunked',
    body: OVERSIZED,
    chunked: true,
    status: 413,
    error: 'invalid_request',
    field: 'request body',
  },
];

describe('POST /oidc/register: bad input', () => {
  const dbPath = join(tempDir(), 'db.json');
  const journalPath = `${dbPath}.journal`;
  let server: RunningServer;
  const statuses: number[] = [];
  let before: { clients: unknown; sequence: number; db: Buffer | null; journal: Buffer | null };

  beforeAll(async () => {
    server = await start({ db: dbPath });
    for (const name of ['First', 'Second']) {
      expect((await register(server, { client_name: name, redirect_uris: [CB] })).status).toBe(201);
    }
    await server.store.flush();
    before = {
      clients: await getJson(server, '/clients'),
      sequence: server.store.sequence,
      db: readBytes(dbPath),
      journal: readBytes(journalPath),
    };
  });
  afterAll(() => server.close());

  it('has at least 25 cases', () => {
    expect(BAD.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD)('$name → $status $error', async (row) => {
    const res = await postRaw(server, row.body, row.chunked);
    statuses.push(res.status);
    expect(res.status, res.text).toBe(row.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(res.json).toEqual({ error: row.error, error_description: expect.any(String) });
    expect(res.json['error_description']).toMatch(new RegExp(`^${escapeRegExp(row.field)} must `));
  });

  it('left no trace: no 5xx, the same clients, sequence and files', async () => {
    expect(statuses).toHaveLength(BAD.length);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(before.db).not.toBeNull();
    expect(await getJson(server, '/clients')).toEqual(before.clients);
    expect(server.store.sequence).toBe(before.sequence);
    expect(readBytes(dbPath)).toEqual(before.db);
    expect(readBytes(journalPath)).toEqual(before.journal);
  });

  it('still registers afterwards, as the next in the sequence', async () => {
    const res = await register(server, { client_name: 'Third', redirect_uris: [CB] });
    expect(res.status).toBe(201);
    expect(server.store.sequence).toBe(before.sequence + 1);
  });
});

describe('POST /oidc/register: the 64 KiB limit', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  /** A valid registration padded through client_name to exactly `bytes` bytes. */
  const padded = (bytes: number) => {
    const bare = json({ redirect_uris: [CB], client_name: '' });
    return json({ redirect_uris: [CB], client_name: 'x'.repeat(bytes - Buffer.byteLength(bare)) });
  };

  it.each([
    { bytes: 64 * 1024, chunked: false, status: 201 },
    { bytes: 64 * 1024, chunked: true, status: 201 },
    { bytes: 64 * 1024 + 1, chunked: false, status: 413 },
    { bytes: 64 * 1024 + 1, chunked: true, status: 413 },
  ])('$bytes bytes (chunked: $chunked) → $status', async ({ bytes, chunked, status }) => {
    const body = padded(bytes);
    expect(Buffer.byteLength(body)).toBe(bytes);
    expect((await postRaw(server, body, chunked)).status).toBe(status);
  });
});

describe('a client that goes away in the middle of its body', () => {
  const reported: string[] = [];
  const records: Array<{ path: string; status: number }> = [];
  let onRecord = () => {};
  let server: RunningServer;
  beforeAll(async () => {
    server = await start(
      { quiet: false, log: 'json' },
      {
        write: (line) => {
          records.push(JSON.parse(line) as { path: string; status: number });
          onRecord();
        },
        report: (line) => reported.push(line),
      },
    );
  });
  afterAll(() => server.close());

  const nextRecord = () => new Promise<void>((resolve) => (onRecord = resolve));

  it('is no server error, stores nothing and shifts nothing', async () => {
    const recorded = nextRecord();
    const { port, hostname } = new URL(server.url);
    const received = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(Number(port), hostname);
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      // With Expect: 100-continue the server answers 100 once the handler runs: the body is cut after that.
      socket.write(
        'POST /oidc/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\nExpect: 100-continue\r\n\r\n',
      );
      socket.once('data', () => socket.end('{"redirect_uris": ['));
      socket.on('data', (chunk) => (text += chunk.toString()));
    });
    expect(received).toMatch(/^HTTP\/1\.1 100 /);
    await recorded;
    const res = await register(server, { redirect_uris: [CB] });
    expect(res.status).toBe(201);
    expect(server.store.sequence).toBe(1);
    expect(server.store.clients).toHaveLength(1);
    expect(reported).toEqual([]);
    expect(records.map((r) => r.status).filter((status) => status >= 500)).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
