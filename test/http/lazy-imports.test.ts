import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import { type Cli, startCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

/**
 * What, in a resolved URL, shows a watched name: a package (`jose`) by its folder in node_modules; one of
 * dcr-mock's own modules (`dist/mcp/endpoint.js`) by its file as tsc emits it, or by the chunk the command's
 * bundle makes of it (`dist/bin-mcp-endpoint-<hash>.js`, scripts/bundle-cli.js).
 */
function fragmentsOf(name: string): string[] {
  if (!name.startsWith('dist/')) return [`/node_modules/${name}/`];
  const inDist = name.slice('dist/'.length).replace(/\.js$/, '');
  return [`/${name}`, `/dist/bin-${inDist.replace(/[^a-z0-9]+/gi, '-')}-`];
}

/**
 * A module hook that names, on stderr, the first module the process resolves from each watched package
 * (`jose`) or of each watched module of dcr-mock's own (`dist/mcp/endpoint.js`).
 */
function hookFile(watched: readonly string[]): string {
  const file = join(tempDir(), 'name-packages.mjs');
  const fragments = watched.map((name) => [name, fragmentsOf(name)]);
  const resolve = `const seen = new Set();
    export async function resolve(specifier, context, next) {
      const found = await next(specifier, context);
      for (const [name, inUrl] of ${JSON.stringify(fragments)}) {
        if (inUrl.some((fragment) => found.url.includes(fragment)) && !seen.has(name)) {
          seen.add(name);
          process.stderr.write(name + ' loaded\\n');
        }
      }
      return found;
    }`;
  writeFileSync(
    file,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolve)}));\n`,
  );
  return file;
}

/** Waits for the hook's lines: it runs on its own thread, whose writes may reach stderr a moment after the answer. */
async function linesOf(stderr: () => string, count: number): Promise<string[]> {
  const lines = () => stderr().split('\n').filter(Boolean);
  for (let waited = 0; lines().length < count && waited < 5000; waited += 50) await sleep(50);
  // A moment more, so that a line too many would show (a late one shows in the next, which lists them all).
  await sleep(100);
  return lines().sort();
}

/** dcr-mock in memory, with the hook naming each watched package or module as it first loads. */
const startWatching = (watched: readonly string[]) =>
  startCli(['--port', '0', '--db', ':memory:', '--quiet'], {
    command: [process.execPath, '--import', hookFile(watched)],
  });

/** A registration of `metadata`. */
const register = (cli: Cli, metadata: object) =>
  fetch(cli.registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });

describe('what a start that serves neither /mcp nor tokens leaves unloaded', () => {
  it('the MCP SDK is imported on the first /mcp request, not at start-up nor for registration', async () => {
    const cli = await startWatching(['@modelcontextprotocol/sdk']);
    try {
      const registered = await register(cli, { redirect_uris: ['https://a.example/cb'] });
      expect(registered.status).toBe(201);
      expect((await fetch(`${cli.url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
      expect(cli.stderr()).toBe('');
      // A request without a token is refused before the SDK is needed; one with a token would load it.
      expect((await fetch(`${cli.url}/mcp`, { method: 'POST', body: '{}' })).status).toBe(401);
      expect(cli.stderr()).toBe('');

      // A token for /mcp, and an initialize with it: now the SDK is loaded, once.
      const issuer = `${cli.url}/`;
      const { client_id } = (await (
        await register(cli, { redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' })
      ).json()) as { client_id: string };
      const verifier = 'x'.repeat(43);
      const query = new URLSearchParams({
        client_id,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:9/cb',
        resource: `${issuer}mcp`,
        code_challenge: s256(verifier),
        code_challenge_method: 'S256',
      });
      const location = (await fetch(`${cli.url}/authorize?${query}`, { redirect: 'manual' })).headers.get('location')!;
      const token = (await (
        await fetch(`${cli.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id,
            code: new URL(location).searchParams.get('code')!,
            redirect_uri: 'http://127.0.0.1:9/cb',
            code_verifier: verifier,
          }),
        })
      ).json()) as { access_token: string };
      const initialize = await fetch(`${cli.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }),
      });
      expect(initialize.status, await initialize.clone().text()).toBe(200);
      // The hook runs on its own thread, whose writes may reach stderr a moment after the answer.
      for (let waited = 0; cli.stderr() === '' && waited < 5000; waited += 50) await sleep(50);
      expect(cli.stderr()).toBe('@modelcontextprotocol/sdk loaded\n');
    } finally {
      await cli.stop();
    }
  });
});

describe('what a start that registers clients leaves unloaded', () => {
  const ENDPOINTS = ['authorize', 'token', 'revoke', 'userinfo'].map((e) => `dist/authorization/${e}-endpoint.js`);
  const MCP = 'dist/mcp/endpoint.js';

  it('jose, the authorization endpoints and /mcp load each on its first request, not at start-up nor for registration', async () => {
    const cli = await startWatching(['jose', ...ENDPOINTS, MCP]);
    try {
      const registered = await register(cli, {
        redirect_uris: ['http://127.0.0.1:9/cb'],
        token_endpoint_auth_method: 'none',
      });
      expect(registered.status).toBe(201);
      const { client_id } = (await registered.json()) as { client_id: string };
      expect((await fetch(`${cli.url}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${cli.url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
      expect(await linesOf(cli.stderr, 0)).toEqual([]);

      // The JWKS derives the signing key, with jose.
      expect((await fetch(`${cli.url}/.well-known/jwks.json`)).status).toBe(200);
      expect(await linesOf(cli.stderr, 1)).toEqual(['jose loaded']);

      const verifier = 'y'.repeat(43);
      const query = new URLSearchParams({
        client_id,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:9/cb',
        scope: 'openid',
        code_challenge: s256(verifier),
        code_challenge_method: 'S256',
      });
      const authorized = await fetch(`${cli.url}/authorize?${query}`, { redirect: 'manual' });
      expect(authorized.status).toBe(302);
      expect(await linesOf(cli.stderr, 2)).toEqual([`${ENDPOINTS[0]} loaded`, 'jose loaded']);

      const code = new URL(authorized.headers.get('location')!).searchParams.get('code')!;
      const token = await fetch(`${cli.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id,
          code,
          redirect_uri: 'http://127.0.0.1:9/cb',
          code_verifier: verifier,
        }),
      });
      expect(token.status, await token.clone().text()).toBe(200);
      const { access_token } = (await token.json()) as { access_token: string };
      const userinfo = await fetch(`${cli.url}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } });
      expect(userinfo.status).toBe(200);
      const revoked = await fetch(`${cli.url}/oauth/revoke`, {
        method: 'POST',
        body: new URLSearchParams({ client_id, token: access_token }),
      });
      expect(revoked.status).toBe(200);
      expect((await fetch(`${cli.url}/mcp`, { method: 'POST', body: '{}' })).status).toBe(401);
      expect(await linesOf(cli.stderr, 6)).toEqual(
        [...ENDPOINTS, MCP]
          .map((m) => `${m} loaded`)
          .concat('jose loaded')
          .sort(),
      );
    } finally {
      await cli.stop();
    }
  });
});

describe("json-server's app", () => {
  it('is imported on the first request to its routes, not at start-up, for registration or for the inspector', async () => {
    const cli = await startWatching(['json-server']);
    try {
      const registered = await register(cli, { redirect_uris: ['https://a.example/cb'] });
      expect(registered.status).toBe(201);
      expect((await fetch(`${cli.url}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${cli.url}/`, { headers: { accept: 'text/html' } })).status).toBe(200);
      expect((await fetch(`${cli.url}/__dcr/health`)).status).toBe(200);
      // A plain list is written out by dcr-mock itself, in pages.
      expect((await fetch(`${cli.url}/clients`)).status).toBe(200);
      expect(await linesOf(cli.stderr, 0)).toEqual([]);

      const { client_id } = (await registered.json()) as { client_id: string };
      const found = await fetch(`${cli.url}/clients?client_id=${client_id}`);
      expect(found.status).toBe(200);
      expect(((await found.json()) as Array<{ client_id: string }>).map((c) => c.client_id)).toEqual([client_id]);
      expect(await linesOf(cli.stderr, 1)).toEqual(['json-server loaded']);
    } finally {
      await cli.stop();
    }
  });
});
