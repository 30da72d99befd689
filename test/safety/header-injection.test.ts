import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { runMain } from '../support/main.js';
import { start } from '../support/server.js';

const INJECTED = /^x-injected/im;
const BODY = JSON.stringify({ client_name: 'ci-1', redirect_uris: ['https://a.example/cb'] });

/** Sends raw bytes and returns everything the server wrote until it closed. */
function raw(server: RunningServer, request: string): Promise<{ status: number; head: string; text: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head, text });
    });
    socket.end(request);
  });
}

const post = (path: string, body: string, headers: string[] = []) =>
  [
    `POST ${path} HTTP/1.1`,
    'host: 127.0.0.1',
    'connection: close',
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    ...headers,
    '',
    body,
  ].join('\r\n');

describe('values from rules cannot add header lines', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());
  afterEach(() => server.plan.clearRuntime());

  const CRLF_RULES = [
    { mode: 'rate_limited', retry_after: '1\r\nx-injected: 1' },
    { mode: 'service_unavailable', retry_after: '1\nx-injected: 1' },
    { mode: 'rate_limited', status: '429\r\nx-injected: 1' },
    { mode: 'rate_limited\r\nx-injected: 1' },
    { mode: 'rate_limited', match: { header: 'x-case\r\nx-injected: 1:retry' } },
    { mode: 'rate_limited', retry_after: Number.POSITIVE_INFINITY },
    'rate_limited:retry_after=1\r\nx-injected: 1',
    'rate_limited:status=429\nx-injected: 1',
  ];

  it.each(CRLF_RULES.map((r) => [JSON.stringify(r)]))('POST /__dcr/failures %s is refused with 400', async (rule) => {
    const res = await raw(server, post('/__dcr/failures', rule));
    expect(res.status).toBe(400);
    expect(res.head).not.toMatch(INJECTED);
    expect(server.plan.list()).toHaveLength(0);
  });

  it.each([
    'rate_limited:retry_after=1%0d%0ax-injected:%201',
    'rate_limited:retry_after=1%0ax-injected:1',
    'service_unavailable:retry_after=1%0dx-injected:1',
    'rate_limited:status=429%0d%0ax-injected:1',
    'rate_limited%0d%0ax-injected:1',
    'rate_limited:header=x-case%0d%0ax-injected:1:a',
  ])('?__fail=%s is refused with 400 and adds no header', async (spec) => {
    const res = await raw(server, post(`/oidc/register?__fail=${spec}`, BODY));
    expect(res.status).toBe(400);
    expect(res.head).not.toMatch(INJECTED);
  });

  it('a bare CR in a request header (the only way to smuggle one in) is refused by the parser', async () => {
    const res = await raw(
      server,
      post('/oidc/register', BODY, ['x-dcr-mock-fail: rate_limited:retry_after=1\rx-injected: 1']),
    );
    expect(res.status).toBe(400);
    expect(res.head).not.toMatch(INJECTED);
    const origin = await raw(server, post('/oidc/register', BODY, ['origin: http://a.example\rx-injected: 1']));
    expect(origin.head).not.toMatch(INJECTED);
  });

  it('valid values end up in headers as plain numbers and names', async () => {
    const res = await raw(
      server,
      post('/oidc/register', BODY, ['x-dcr-mock-fail: rate_limited:retry_after=7,status=599']),
    );
    expect(res.status).toBe(599);
    expect(res.head).toMatch(/^retry-after: 7$/m);
    expect(res.head).toMatch(/^x-ratelimit-reset: \d+$/m);
    expect(res.head).toMatch(/^x-dcr-mock-failure: rate_limited$/m);
  });

  it('--fail with CR/LF in a value exits 2', async () => {
    for (const spec of [
      'rate_limited:retry_after=1\r\nx-injected: 1',
      'service_unavailable:status=503\nx-injected: 1',
    ]) {
      const run = await runMain(['--port', '0', '--db', ':memory:', '--fail', spec], { deadlineMs: 15_000 });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
    }
  });
});
