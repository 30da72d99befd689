import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../support/server.js';

/** What a raw HTTP/1.1 request line gets back: the status line and the body. */
function raw(port: number, head: string, body = ''): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`),
    );
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () =>
      resolve({ status: text.split('\r\n', 1)[0]!, body: text.slice(text.indexOf('\r\n\r\n') + 4) }),
    );
    socket.on('error', reject);
  });
}

describe('an absolute-form request line (RFC 9112 §3.2.2)', () => {
  let mock: Awaited<ReturnType<typeof start>>;
  let port = 0;
  beforeAll(async () => {
    mock = await start();
    port = Number(new URL(mock.url).port);
  });
  afterAll(() => mock.close());

  it('is routed by its path: registration, then json-server and the control plane', async () => {
    const body = JSON.stringify({ client_name: 'proxied', redirect_uris: ['https://a.example/cb'] });
    const registered = await raw(
      port,
      `POST http://127.0.0.1:${port}/oidc/register HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json`,
      body,
    );
    expect(registered.status).toBe('HTTP/1.1 201 Created');
    const id = JSON.parse(registered.body).client_id as string;
    const listed = await raw(port, `GET http://127.0.0.1:${port}/clients/${id} HTTP/1.1\r\nHost: 127.0.0.1:${port}`);
    expect(listed.status).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(listed.body)).toMatchObject({ client_id: id, client_name: 'proxied' });
    const health = await raw(port, `GET http://localhost:${port}/__dcr/health?x=1 HTTP/1.1\r\nHost: localhost:${port}`);
    expect(health.status).toBe('HTTP/1.1 200 OK');
    expect(mock.journal.list()[0]).toMatchObject({ method: 'GET', path: `/clients/${id}`, status: 200 });
  });
});
