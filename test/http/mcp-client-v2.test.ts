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
