import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { discoverAuthorizationServerMetadata } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routedPath } from '../../src/http/issuer-path.js';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';

/** A port free right now, so that the issuer can name it before the server listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('routedPath', () => {
  it.each([
    ['/tenant-a/authorize', '/authorize'],
    ['/tenant-a/.well-known/openid-configuration', '/.well-known/openid-configuration'],
    ['/.well-known/oauth-authorization-server/tenant-a', '/.well-known/oauth-authorization-server'],
    ['/.well-known/openid-configuration/tenant-a', '/.well-known/openid-configuration'],
    ['/.well-known/oauth-protected-resource/tenant-a/mcp', '/.well-known/oauth-protected-resource/mcp'],
    ['/tenant-a', '/'],
    ['/authorize', '/authorize'],
    ['/tenant-ab/authorize', '/tenant-ab/authorize'],
  ])('%s → %s', (path, routed) => {
    expect(routedPath(path, '/tenant-a/')).toBe(routed);
  });
});

describe('an issuer with a path', () => {
  let server: RunningServer;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/tenant-a/`;
    server = await start({ port, issuer });
  });
  afterAll(() => server.close());

  it('answers its metadata at every URL a client tries, each naming the same issuer', async () => {
    const origin = new URL(issuer).origin;
    for (const path of [
      '/.well-known/oauth-authorization-server/tenant-a',
      '/.well-known/openid-configuration/tenant-a',
      '/tenant-a/.well-known/openid-configuration',
    ]) {
      const metadata = await (await fetch(`${origin}${path}`)).json();
      expect(metadata.issuer, path).toBe(issuer);
      expect(metadata.token_endpoint, path).toBe(`${issuer}oauth/token`);
    }
    expect((await discoverAuthorizationServerMetadata(issuer))?.issuer).toBe(issuer);
  });

  it('openid-client registers, logs in and gets tokens under the path', async () => {
    const config = await openid.dynamicClientRegistration(
      new URL(issuer),
      { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      openid.None(),
      { execute: [openid.allowInsecureRequests] },
    );
    const verifier = openid.randomPKCECodeVerifier();
    const url = openid.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      code_challenge: await openid.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      audience: 'https://api.example.com/',
    });
    expect(url.pathname).toBe('/tenant-a/authorize');
    const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    const tokens = await openid.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    expect(tokens.access_token.split('.')).toHaveLength(3);
  });

  it("the MCP SDK connects to the tenant's /mcp, finding its metadata by path insertion", async () => {
    let code = '';
    let verifier = '';
    let info: unknown;
    let saved: unknown;
    const provider = {
      redirectUrl: REDIRECT,
      clientMetadata: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      clientInformation: () => info,
      saveClientInformation: (i: unknown) => {
        info = i;
      },
      tokens: () => saved,
      saveTokens: (t: unknown) => {
        saved = t;
      },
      redirectToAuthorization: async (authorization: URL) => {
        code = new URL((await fetch(authorization, { redirect: 'manual' })).headers.get('location')!).searchParams.get(
          'code',
        )!;
      },
      saveCodeVerifier: (v: string) => {
        verifier = v;
      },
      codeVerifier: () => verifier,
    } as never;
    const url = new URL(`${issuer}mcp`);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toThrow(/Unauthorized/);
    await transport.finishAuth(code);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      expect((await client.listTools()).tools).toHaveLength(3);
    } finally {
      await client.close();
    }
    const prm = await (
      await fetch(`${new URL(issuer).origin}/.well-known/oauth-protected-resource/tenant-a/mcp`)
    ).json();
    expect(prm).toMatchObject({ resource: `${issuer}mcp`, authorization_servers: [issuer] });
  });
});
