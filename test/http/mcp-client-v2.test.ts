import { Client, type OAuthClientProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';

/** The v2 client's OAuth state, in memory; the authorization URL followed headlessly (--login auto). */
function headless() {
  const state: { callback?: URL; tokens?: unknown; client?: unknown; verifier: string; urls: URL[] } = {
    verifier: '',
    urls: [],
  };
  const provider = {
    get redirectUrl() {
      return REDIRECT;
    },
    get clientMetadata() {
      return {
        client_name: 'v2 client',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      };
    },
    clientInformation: () => state.client,
    saveClientInformation: (info: unknown) => {
      state.client = info;
    },
    tokens: () => state.tokens,
    saveTokens: (tokens: unknown) => {
      state.tokens = tokens;
    },
    redirectToAuthorization: async (url: URL) => {
      state.urls.push(url);
      const res = await fetch(url, { redirect: 'manual' });
      state.callback = new URL(res.headers.get('location')!);
    },
    saveCodeVerifier: (v: string) => {
      state.verifier = v;
    },
    codeVerifier: () => state.verifier,
  } as unknown as OAuthClientProvider;
  return { provider, state };
}

describe('the MCP SDK v2 client (@modelcontextprotocol/client) with --iss-param', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ issParam: true });
  });
  afterAll(() => server.close());

  it('goes from the 401 to tools/call, checking iss (RFC 9207) on the way', async () => {
    const { provider, state } = headless();
    const url = new URL(`${server.issuer}mcp`);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toThrow(/Unauthorized/);
    expect(state.callback!.searchParams.get('iss')).toBe(server.issuer);
    expect(state.urls[0]!.searchParams.get('resource')).toBe(`${server.issuer}mcp`);
    await transport.finishAuth(state.callback!.searchParams);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      const echoed = await client.callTool({ name: 'echo', arguments: { text: 'v2' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'v2' }]);
    } finally {
      await client.close();
    }
  });

  it("asks for offline_access itself (SEP-2207), and past the access token's lifetime refreshes instead of authorizing again", async () => {
    const { provider, state } = headless();
    const url = new URL(`${server.issuer}mcp`);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toThrow(/Unauthorized/);
    // The challenge and the PRM name mcp:tools only; offline_access comes from the AS metadata's list.
    expect(state.urls[0]!.searchParams.get('scope')).toBe('mcp:tools offline_access');
    expect(state.urls[0]!.searchParams.get('prompt')).toBe('consent');
    await transport.finishAuth(state.callback!.searchParams);
    const first = state.tokens as { access_token: string; refresh_token?: string; expires_in: number };
    expect(first.refresh_token).toMatch(/^v1\./);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      expect((await client.callTool({ name: 'echo', arguments: { text: 'before' } })).content).toEqual([
        { type: 'text', text: 'before' },
      ]);
      server.clock.advance(first.expires_in + 1);
      const since = Math.max(0, ...server.journal.list().map((e) => e.id));
      const after = await client.callTool({ name: 'echo', arguments: { text: 'after' } });
      expect(after.content).toEqual([{ type: 'text', text: 'after' }]);

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
        expect.objectContaining({ status: 200, grant_type: 'refresh_token' }),
      ]);
      expect(seen.some((e) => e.path === '/authorize')).toBe(false);
      const now = state.tokens as { access_token: string; refresh_token?: string };
      expect(now.access_token).not.toBe(first.access_token);
      expect(now.refresh_token).not.toBe(first.refresh_token);
    } finally {
      server.clock.reset();
      await client.close();
    }
  });

  it('authorize:wrong_iss: the client refuses the callback before it redeems the code', async () => {
    const { provider, state } = headless();
    const url = new URL(`${server.issuer}mcp`);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    server.plan.add({ endpoint: 'authorize', mode: 'wrong_iss', times: 1 });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toThrow(/Unauthorized/);
    expect(state.callback!.searchParams.get('iss')).toBe('https://wrong-issuer.dcr-mock.invalid/');
    const tokenRequests = () => server.journal.list().filter((e) => e.path === '/oauth/token').length;
    const before = tokenRequests();
    await expect(transport.finishAuth(state.callback!.searchParams)).rejects.toThrow(/iss/i);
    expect(tokenRequests()).toBe(before);
  });
});
