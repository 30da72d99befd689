import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const VERIFIER = 'c'.repeat(43);

/** Serves documents on 127.0.0.1, as a test of a CIMD client would; counts the fetches. */
async function documentServer(
  documents: (base: string) => Record<string, { status?: number; body: string; location?: string }>,
) {
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const found = documents(base)[req.url ?? ''];
    if (!found) return res.writeHead(404).end();
    res.writeHead(found.status ?? 200, {
      'content-type': 'application/json',
      ...(found.location && { location: found.location }),
    });
    res.end(found.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function authorize(server: RunningServer, clientId: string, redirectUri = REDIRECT) {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    state: 'st',
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
  });
  const res = await fetch(`${server.url}/authorize?${query}`, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

describe('Client ID Metadata Documents (--cimd)', () => {
  let server: RunningServer;
  let docs: Awaited<ReturnType<typeof documentServer>>;

  beforeAll(async () => {
    docs = await documentServer((base) => ({
      '/client.json': {
        body: JSON.stringify({ client_id: `${base}/client.json`, client_name: 'CIMD app', redirect_uris: [REDIRECT] }),
      },
      '/other-id.json': { body: JSON.stringify({ client_id: `${base}/elsewhere.json`, redirect_uris: [REDIRECT] }) },
      '/moved.json': { status: 302, location: '/client.json', body: '' },
      '/big.json': {
        body: JSON.stringify({ client_id: `${base}/big.json`, redirect_uris: [REDIRECT], pad: 'x'.repeat(6000) }),
      },
      '/secret.json': {
        body: JSON.stringify({
          client_id: `${base}/secret.json`,
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'client_secret_post',
        }),
      },
    }));
    server = await start({ cimd: true });
  });
  afterAll(async () => {
    await server.close();
    await docs.close();
  });

  it('advertises it, fetches a loopback document once, and the client gets a code and a token', async () => {
    const metadata = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');

    const clientId = `${docs.base}/client.json`;
    const first = await authorize(server, clientId);
    expect(first.status, first.text).toBe(302);
    const code = new URL(first.location!).searchParams.get('code')!;
    const token = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      }),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).not.toHaveProperty('id_token');
    await authorize(server, clientId);
    expect(docs.fetches()).toBe(1);
    expect(server.authorization.documents().map((d) => [d.client_id, d.source])).toEqual([[clientId, 'fetched']]);
  });

  it("refuses, with an error page, every document or URL that breaks Auth0's rules", async () => {
    const cases: Array<[string, RegExp, string?]> = [
      [`${docs.base}/other-id.json`, /client_id must equal its URL/],
      [`${docs.base}/moved.json`, /without a redirect, got 302/],
      [`${docs.base}/big.json`, /at most 5120 bytes/],
      [`${docs.base}/secret.json`, /token_endpoint_auth_method must be none or private_key_jwt/],
      [`${docs.base}/client.json?x=1`, /without a query/],
      [`${docs.base}/${'p'.repeat(120)}`, /at most 120 bytes/],
      ['https://app.example.com/client.json', /fetches from loopback hosts only/],
      [`${docs.base}/client.json`, /Callback URL mismatch/, 'http://127.0.0.1:8765/other'],
    ];
    for (const [clientId, says, redirect] of cases) {
      const { status, location, text } = await authorize(server, clientId, redirect);
      expect(status, clientId).toBe(400);
      expect(location, clientId).toBeNull();
      expect(text.replaceAll('&#34;', '"'), clientId).toMatch(says);
    }
  });

  it('a private_key_jwt client authenticates with an assertion signed by its document key; a wrong key is invalid_client', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const clientId = 'https://agent.example.com/client.json';
    const imported = await fetch(`${server.url}/__dcr/cimd`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: clientId,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk] },
      }),
    });
    expect(imported.status).toBe(201);
    const assertion = (key: CryptoKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(server.issuer)
        .setJti('j1')
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(key);
    const exchange = async (signed: string) => {
      const { location } = await authorize(server, clientId);
      return fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: new URL(location!).searchParams.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: VERIFIER,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: signed,
        }),
      });
    };
    expect((await exchange(await assertion(privateKey))).status).toBe(200);
    const other = await generateKeyPair('ES256');
    const refused = await exchange(await assertion(other.privateKey));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/client_assertion must be signed/),
    });
  });
});

describe('the MCP SDK through a Client ID Metadata Document', () => {
  let server: RunningServer;
  const clientId = 'https://mcp-client.example.com/oauth/client.json';

  beforeAll(async () => {
    server = await start({
      cimd: true,
      cimdDocuments: [{ client_id: clientId, client_name: 'An MCP client', redirect_uris: [REDIRECT] }],
    });
  });
  afterAll(() => server.close());

  it('uses the URL as its client_id, registers nothing, and reaches tools/list', async () => {
    let code = '';
    let saved: OAuthTokens | undefined;
    let client: OAuthClientInformationMixed | undefined;
    let verifier = '';
    const provider: OAuthClientProvider = {
      redirectUrl: REDIRECT,
      clientMetadataUrl: clientId,
      clientMetadata: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'An MCP client' },
      clientInformation: () => client,
      saveClientInformation: (info) => {
        client = info;
      },
      tokens: () => saved,
      saveTokens: (tokens) => {
        saved = tokens;
      },
      redirectToAuthorization: async (url) => {
        expect(url.searchParams.get('client_id')).toBe(clientId);
        const res = await fetch(url, { redirect: 'manual' });
        code = new URL(res.headers.get('location')!).searchParams.get('code')!;
      },
      saveCodeVerifier: (v) => {
        verifier = v;
      },
      codeVerifier: () => verifier,
    };
    const url = new URL(`${server.issuer}mcp`);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toThrow(/Unauthorized/);
    await transport.finishAuth(code);
    const mcp = new Client({ name: 't', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      expect((await mcp.listTools()).tools.length).toBe(3);
      expect(server.store.clients).toEqual([]);
      expect(server.journal.list().some((e) => e.path === '/oidc/register')).toBe(false);
    } finally {
      await mcp.close();
    }
  });
});
