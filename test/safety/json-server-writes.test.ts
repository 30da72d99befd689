import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Child, kill, spawnCli } from '../support/child.js';
import { JSON_HEADERS, registration, send } from '../support/http.js';
import { tempDir } from '../support/server.js';

const write = (child: Child, method: string, path: string, body: string) =>
  send(`${child.url}${path}`, { method, body, headers: JSON_HEADERS, timeoutMs: 5_000 });
const register = (child: Child, name: string) =>
  send(`${child.url}/oidc/register`, { method: 'POST', body: registration(name), headers: JSON_HEADERS, timeoutMs: 5_000 });

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
    const child = await spawnCli(['--port', '0', '--db', ':memory:', '--quiet']);
    const first = await register(child, 'a');
    const res = await write(child, method, path, body);
    expect(res.status, res.text).toBe(405);
    const [second, third] = [await register(child, 'b'), await register(child, 'c')];
    const ids = [first, second, third].map((r) => JSON.parse(r.text).client_id as string);
    expect(new Set(ids).size).toBe(3);
    const health = JSON.parse((await send(`${child.url}/__dcr/health`)).text) as { sequence: number };
    expect(health.sequence).toBe(3);
    expect(await kill(child, 'SIGTERM')).toBe(0);
  });

});
