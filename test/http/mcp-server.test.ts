import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';

/** An MCP client's OAuth state, in memory; the authorization URL is followed headlessly (--login auto). */
class HeadlessProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  code: string | undefined;
  authorizations: URL[] = [];

  /**
   * `offline`: ask for a refresh token. SEP-2207 keeps `offline_access` out of a resource's challenge and
   * metadata (it is between the client and the authorization server) and lets the client add it when the
   * AS lists it. SDK v1 (1.32.2) never adds it, so an application that wants refresh tokens does so where
   * it meets the authorization URL, as here.
   */
  constructor(private readonly offline = false) {}

  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP test client',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  async redirectToAuthorization(url: URL) {
    if (this.offline) url.searchParams.set('scope', `${url.searchParams.get('scope')} offline_access`);
    this.authorizations.push(url);
    const res = await fetch(url, { redirect: 'manual' });
    this.code = new URL(res.headers.get('location')!).searchParams.get('code') ?? undefined;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** Connects as an MCP client does: the first attempt meets the 401 and authorizes, the second goes through. */
async function connect(server: RunningServer, provider: HeadlessProvider): Promise<Client> {
  const url = new URL(`${server.issuer}mcp`);
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await expect(client.connect(first)).rejects.toThrow(/Unauthorized/);
  await first.finishAuth(provider.code!);
  const connected = new Client({ name: 'test', version: '1.0.0' });
  await connected.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return connected;
}

describe("dcr-mock's own MCP server at /mcp", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it('a client goes 401 → PRM → discovery → DCR → /authorize with resource → token → tools', async () => {
    const provider = new HeadlessProvider();
    const client = await connect(server, provider);
    try {
      const authorization = provider.authorizations[0]!;
      expect(authorization.searchParams.get('resource')).toBe(`${server.issuer}mcp`);
      expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorization.searchParams.get('scope')).toBe('mcp:tools');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['admin_echo', 'echo', 'whoami']);
      const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'hi' }]);
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      const claims = JSON.parse((whoami.content as Array<{ text: string }>)[0]!.text);
      expect(claims).toMatchObject({ aud: `${server.issuer}mcp`, iss: server.issuer, scope: 'mcp:tools' });
      expect(claims.azp).toMatch(/^tpc_/);
    } finally {
      await client.close();
    }
  });

  it('a tool that needs mcp:admin is 403 insufficient_scope naming the scope to ask for', async () => {
    const provider = new HeadlessProvider();
    const client = await connect(server, provider);
    try {
      const res = await fetch(`${server.issuer}mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${provider.saved!.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'admin_echo', arguments: { text: 'x' } },
        }),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
      expect(res.headers.get('www-authenticate')).toMatch(/scope="mcp:tools mcp:admin"/);
      expect(res.headers.get('www-authenticate')).toContain(
        `resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`,
      );
    } finally {
      await client.close();
    }
  });

  it('no token, a bad token or an expired one: 401 pointing at the protected resource metadata', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.issuer}mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(
      /^Bearer resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp", scope="mcp:tools"$/,
    );
    const bad = await post({ authorization: 'Bearer nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const prm = await (await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(prm).toEqual({
      resource: `${server.issuer}mcp`,
      authorization_servers: [server.issuer],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'dcr-mock MCP server',
    });

    const provider = new HeadlessProvider();
    const client = await connect(server, provider);
    await client.close();
    server.clock.advance(86_401);
    const expired = await post({ authorization: `Bearer ${provider.saved!.access_token}` });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/error_description="access token must not have expired/);
    server.clock.reset();
  });

  it("refreshes: past the access token's lifetime the next call meets 401 invalid_token, the SDK uses its refresh token, the call succeeds", async () => {
    const discovery = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
    expect(discovery.scopes_supported).toContain('offline_access');
    const provider = new HeadlessProvider(true);
    const client = await connect(server, provider);
    try {
      expect(provider.authorizations[0]!.searchParams.get('scope')).toBe('mcp:tools offline_access');
      const first = provider.saved!;
      expect(first.refresh_token).toMatch(/^v1\./);
      expect((await client.callTool({ name: 'echo', arguments: { text: 'before' } })).content).toEqual([
        { type: 'text', text: 'before' },
      ]);

      const advanced = await fetch(`${server.url}/__dcr/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advance: first.expires_in! + 1 }),
      });
      expect(advanced.status).toBe(200);
      const since = Math.max(0, ...server.journal.list().map((e) => e.id));
      const after = await client.callTool({ name: 'echo', arguments: { text: 'after' } });
      expect(after.content).toEqual([{ type: 'text', text: 'after' }]);

      // Newest first: the call refused as expired, the refresh grant, the call again with the new token.
      const seen = server.journal
        .list()
        .filter((e) => e.id > since)
        .reverse();
      const mcp = seen.filter((e) => e.path === '/mcp');
      expect(mcp.map((e) => e.status)).toEqual([401, 200]);
      expect(mcp[0]!.response!.headers['www-authenticate']).toMatch(
        /error="invalid_token", error_description="access token must not have expired/,
      );
      expect(seen.filter((e) => e.path === '/oauth/token')).toEqual([
        expect.objectContaining({ status: 200, grant_type: 'refresh_token', client_id: provider.client!.client_id }),
      ]);
      expect(provider.saved!.access_token).not.toBe(first.access_token);
      expect(provider.saved!.refresh_token).toMatch(/^v1\./);
      expect(provider.saved!.refresh_token).not.toBe(first.refresh_token);
      expect(provider.authorizations).toHaveLength(1);
    } finally {
      server.clock.reset();
      await client.close();
    }
  });

  it('mcp:no_resource_metadata once: the client falls back to the well-known URL and still gets through', async () => {
    server.plan.add({ endpoint: 'mcp', mode: 'no_resource_metadata', times: 1 });
    const provider = new HeadlessProvider();
    const client = await connect(server, provider);
    try {
      expect((await client.listTools()).tools.length).toBe(3);
      expect(server.journal.list().some((e) => e.path === '/mcp' && e.failure === 'no_resource_metadata')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('steps up: admin_echo meets 403 insufficient_scope, the client authorizes again with mcp:admin, then it works', async () => {
    const provider = new HeadlessProvider();
    const url = new URL(`${server.issuer}mcp`);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    const first = new Client({ name: 'test', version: '1.0.0' });
    await expect(first.connect(transport)).rejects.toThrow(/Unauthorized/);
    await transport.finishAuth(provider.code!);
    const client = new Client({ name: 'test', version: '1.0.0' });
    const stepping = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await client.connect(stepping);
    try {
      await expect(client.callTool({ name: 'admin_echo', arguments: { text: 'x' } })).rejects.toThrow(/Unauthorized/);
      expect(provider.authorizations.at(-1)!.searchParams.get('scope')).toBe('mcp:tools mcp:admin');
      await stepping.finishAuth(provider.code!);
      const done = await client.callTool({ name: 'admin_echo', arguments: { text: 'x' } });
      expect(done.content).toEqual([{ type: 'text', text: 'admin: x' }]);
    } finally {
      await client.close();
    }
  });

  it('mcp:insufficient_scope always: the client stops after one step-up, as its retry limit says', async () => {
    const provider = new HeadlessProvider();
    await (await connect(server, provider)).close();
    const transport = new StreamableHTTPClientTransport(new URL(`${server.issuer}mcp`), { authProvider: provider });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    const rule = server.plan.add({ endpoint: 'mcp', mode: 'insufficient_scope' });
    try {
      await expect(client.listTools()).rejects.toThrow(/Unauthorized/);
      await transport.finishAuth(provider.code!);
      await expect(client.listTools()).rejects.toThrow(/403 after trying upscoping/);
    } finally {
      server.plan.remove(rule.id);
      await client.close();
    }
  });
});
