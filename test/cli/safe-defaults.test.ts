import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { send } from '../support/http.js';
import { startCli } from '../support/processes.js';

const WARNING = /Warning: listening on .*reachable from other machines/;

/** A private network namespace (only a loopback, down): a non-loopback bind there reaches no one. */
const isolated = spawnSync('unshare', ['-rn', 'true']).status === 0;

/** Resolves once the child's stderr matches, or rejects after `ms`. */
async function stderrMatching(child: { stderr(): string }, pattern: RegExp, ms = 5_000): Promise<string> {
  const until = Date.now() + ms;
  while (!pattern.test(child.stderr())) {
    if (Date.now() > until) throw new Error(`stderr never matched ${pattern}: ${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child.stderr();
}

describe('safe defaults', () => {
  it('binds to 127.0.0.1 when no host is given, without a warning', async () => {
    const child = await startCli(['--port', '0', '--db', ':memory:']);
    expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await send(`${child.url}/__dcr/health`)).status).toBe(200);
    expect(await child.stop()).toBe(0);
    expect(child.stderr()).not.toMatch(WARNING);
  });

  it('stops cleanly on a SIGTERM sent the moment the URL line is read', async () => {
    for (let i = 0; i < 5; i++) {
      const child = await startCli(['--port', '0', '--db', ':memory:', '--quiet']);
      expect(await child.stop()).toBe(0);
    }
  });

  it.each(['localhost', '127.0.0.2'])('--host %s is loopback: no warning', async (host) => {
    const child = await startCli(['--port', '0', '--db', ':memory:', '--host', host]);
    expect(await child.stop()).toBe(0);
    expect(child.stderr()).not.toMatch(WARNING);
  });

  it.skipIf(!isolated)(
    '--host 0.0.0.0 warns that it is reachable from other machines (run in an isolated network namespace)',
    async () => {
      const child = await startCli(['--port', '0', '--db', ':memory:', '--host', '0.0.0.0'], {
        command: ['unshare', '-rn', process.execPath],
      });
      expect(await stderrMatching(child, WARNING)).toMatch(
        /Secrets are fake and stored in clear; bind to 127\.0\.0\.1/,
      );
      expect(await child.stop()).toBe(0);
    },
  );

  it('--admin-token guards the control plane, and only it', async () => {
    const child = await startCli(['--port', '0', '--db', ':memory:', '--quiet', '--admin-token', 's3cret']);
    expect((await send(`${child.url}/__dcr/health`)).status).toBe(401);
    expect((await send(`${child.url}/__dcr/health`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await send(`${child.url}/__dcr/reset`, { method: 'POST' })).status).toBe(401);
    expect((await send(`${child.url}/__dcr/health`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    const registration = await send(`${child.url}/oidc/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"redirect_uris":["https://a.example/cb"]}',
    });
    expect(registration.status).toBe(201);
    expect(await child.stop()).toBe(0);
  });
});
