import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { type JWTPayload, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

// The MCP authorization flow, end to end, with the official TypeScript SDK (v1) on both sides: an MCP
// server that trusts dcr-mock as its authorization server (RFC 9728 metadata, tokens verified with jose
// against dcr-mock's JWKS, as the README tells MCP server authors), and the SDK's client going
// 401 → protected resource metadata → discovery → registration → /authorize → token → tools/list.

const REDIRECT = 'http://127.0.0.1:8765/callback';
const SCOPE = 'mcp:tools';

/** A protected MCP server on its own port: its resource URL, what it saw, and how to stop it. */
interface ProtectedMcp {
  readonly resource: string;
  readonly prm: string;
  /** Each request: method, path, and how its token fared (`none`, `refused`, `accepted`). */
  readonly seen: Array<{ method: string; path: string; token: 'none' | 'refused' | 'accepted' }>;
  close(): Promise<void>;
}

async function protectedMcp(issuer: string): Promise<ProtectedMcp> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));
  const seen: ProtectedMcp['seen'] = [];
  let resource = '';
  let prm = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const challenge = (error?: string) =>
    `Bearer ${error ? `error="${error}", ` : ''}resource_metadata="${prm}", scope="${SCOPE}"`;

  /** The token's claims if dcr-mock signed it for this resource, else undefined. */
  const verify = async (req: IncomingMessage): Promise<JWTPayload | undefined> => {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      return (await jwtVerify(token, jwks, { issuer, audience: resource, algorithms: ['RS256'] })).payload;
    } catch {
      return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', resource).pathname;
    if (path === '/.well-known/oauth-protected-resource/mcp' || path === '/.well-known/oauth-protected-resource') {
      seen.push({ method: req.method ?? 'GET', path, token: 'none' });
      json(res, 200, {
        resource,
        authorization_servers: [issuer],
        scopes_supported: [SCOPE],
        bearer_methods_supported: ['header'],
      });
      return;
    }
    if (path !== '/mcp') {
      json(res, 404, { error: 'not_found' });
      return;
    }
    const given = req.headers.authorization !== undefined;
    const claims = await verify(req);
    seen.push({ method: req.method ?? 'GET', path, token: claims ? 'accepted' : given ? 'refused' : 'none' });
    if (!claims) {
      json(
        res,
        401,
        { error: given ? 'invalid_token' : 'unauthorized' },
        {
          'www-authenticate': challenge(given ? 'invalid_token' : undefined),
        },
      );
      return;
    }
    const auth: AuthInfo = {
      token: req.headers.authorization!.slice('Bearer '.length),
      clientId: String(claims['azp'] ?? ''),
      scopes: String(claims['scope'] ?? '').split(' '),
      extra: { claims },
    };
    // Stateless: a server and a transport for each request, as the SDK shows for servers without sessions.
    const mcp = new McpServer({ name: 'protected-by-dcr-mock', version: '1.0.0' });
    mcp.registerTool('whoami', { description: "The verified claims of the caller's access token" }, (extra) => ({
      content: [{ type: 'text', text: JSON.stringify(extra.authInfo?.extra?.['claims']) }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(Object.assign(req, { auth }), res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  resource = `http://127.0.0.1:${port}/mcp`;
  prm = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
  return {
    resource,
    prm,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * An MCP client's OAuth state, in memory. It plays the user as a CLI does: the authorization URL is
 * fetched without following the redirect, and the code read from the callback URL.
 */
class HeadlessProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  /** Every authorization URL the SDK built, and the code each one came back with. */
  readonly authorizations: Array<{ url: URL; code: string | null; callback: URL }> = [];

  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP SDK client (test)',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state(): string {
    return `state-${this.authorizations.length + 1}`;
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) {
      throw new Error(`/authorize answered ${res.status} instead of a redirect: ${await res.text()}`);
    }
    const callback = new URL(location);
    this.authorizations.push({ url, code: callback.searchParams.get('code'), callback });
  }
}

describe('MCP SDK v1 client → a protected MCP server → dcr-mock', () => {
  let server: RunningServer;
  let mcp: ProtectedMcp;

  beforeAll(async () => {
    server = await start();
    mcp = await protectedMcp(server.issuer);
  });
  afterAll(async () => {
    await mcp.close();
    await server.close();
  });

  it('goes 401 → PRM → discovery → DCR → /authorize with resource → token, and tools/list succeeds', async () => {
    const provider = new HeadlessProvider();
    const client = new Client({ name: 'dcr-mock-test', version: '1.0.0' });

    // First connect: the server says 401, the SDK discovers, registers and sends the user to /authorize.
    const first = new StreamableHTTPClientTransport(new URL(mcp.resource), { authProvider: provider });
    await expect(client.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.client?.client_id).toMatch(/^tpc_[A-Za-z0-9]{32}$/);
    expect(provider.authorizations).toHaveLength(1);
    const [{ url, code, callback }] = provider.authorizations as [(typeof provider.authorizations)[0]];
    expect(url.origin + url.pathname).toBe(`${server.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: provider.client!.client_id,
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: REDIRECT,
      resource: mcp.resource,
      scope: SCOPE,
      state: 'state-1',
    });
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await first.finishAuth(code!);
    expect(provider.saved).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), scope: SCOPE });
    // The access token is for the MCP server: its audience is the resource the client asked for (RFC 8707).
    expect(decodeJwt(provider.saved!.access_token)).toMatchObject({
      iss: server.issuer,
      aud: mcp.resource,
      azp: provider.client!.client_id,
      scope: SCOPE,
    });

    const second = new StreamableHTTPClientTransport(new URL(mcp.resource), { authProvider: provider });
    await client.connect(second);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['whoami']);
    const whoami = await client.callTool({ name: 'whoami' });
    const claims = JSON.parse((whoami.content as Array<{ text: string }>)[0]!.text) as JWTPayload;
    expect(claims).toMatchObject({ aud: mcp.resource, sub: server.authorization.users()[0]!.sub });
    await client.close();

    // The MCP server's side: the first request had no token, the PRM was read, then every call had a good one.
    expect(mcp.seen[0]).toEqual({ method: 'POST', path: '/mcp', token: 'none' });
    expect(mcp.seen[1]).toMatchObject({ path: '/.well-known/oauth-protected-resource/mcp' });
    expect(mcp.seen.slice(2).filter((s) => s.path === '/mcp' && s.method === 'POST')).not.toHaveLength(0);
    expect(mcp.seen.slice(2).every((s) => s.token === 'accepted' || s.path !== '/mcp')).toBe(true);

    // dcr-mock's side, in order: discovery, registration, the authorization (with resource), then the
    // token (finishAuth runs the SDK's auth() again, so discovery comes again before it).
    const journal = server.journal
      .list()
      .reverse()
      .map((e) => `${e.method} ${e.path} ${e.status}`);
    expect(journal.filter((line) => !line.includes('jwks'))).toEqual([
      'GET /.well-known/oauth-authorization-server 200',
      'POST /oidc/register 201',
      'GET /authorize 302',
      'GET /.well-known/oauth-authorization-server 200',
      'POST /oauth/token 200',
    ]);
    expect(server.journal.list().find((e) => e.path === '/oauth/token')).toMatchObject({
      grant_type: 'authorization_code',
      client_id: provider.client!.client_id,
    });
  });
});
