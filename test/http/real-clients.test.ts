import { discoverAuthorizationServerMetadata, registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const TPC_ID = /^tpc_[A-Za-z0-9]{32}$/;
const SECRET = /^[A-Za-z0-9_-]{64}$/;

type Metadata = { redirect_uris: string[]; client_name?: string; token_endpoint_auth_method?: string };

/** What a client library made of a registration or of its refusal. */
interface Library {
  name: string;
  /** Discovers the server, registers, and returns the client as the library hands it over. */
  register(server: RunningServer, metadata: Metadata): Promise<Record<string, unknown>>;
  /** Registers bad metadata; returns the error code and description the caller gets to see. */
  refusal(server: RunningServer, metadata: Metadata): Promise<{ error: unknown; description: unknown }>;
}

async function oauth4webapiServer(server: RunningServer): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(server.issuer);
  const res = await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true });
  return oauth.processDiscoveryResponse(issuer, res);
}

async function mcpServer(server: RunningServer) {
  const metadata = await discoverAuthorizationServerMetadata(server.url);
  if (!metadata) throw new Error('discoverAuthorizationServerMetadata found nothing');
  expect(metadata.registration_endpoint).toBe(server.registrationEndpoint);
  return metadata;
}

/** The rejection an async call ends in; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (err: unknown) => err,
  );
}

const LIBRARIES: Library[] = [
  {
    name: 'openid-client',
    async register(server, metadata) {
      const config = await openid.dynamicClientRegistration(new URL(server.issuer), metadata, undefined, {
        execute: [openid.allowInsecureRequests],
      });
      expect(config.serverMetadata().issuer).toBe(server.issuer);
      return { ...config.clientMetadata() };
    },
    async refusal(server, metadata) {
      const err = await rejection(
        openid.dynamicClientRegistration(new URL(server.issuer), metadata, undefined, {
          execute: [openid.allowInsecureRequests],
        }),
      );
      expect(err).toBeInstanceOf(openid.ResponseBodyError);
      const { error, error_description, status } = err as openid.ResponseBodyError;
      expect(status).toBe(400);
      return { error, description: error_description };
    },
  },
  {
    name: 'oauth4webapi',
    async register(server, metadata) {
      const as = await oauth4webapiServer(server);
      const res = await oauth.dynamicClientRegistrationRequest(as, metadata, { [oauth.allowInsecureRequests]: true });
      return { ...(await oauth.processDynamicClientRegistrationResponse(res)) };
    },
    async refusal(server, metadata) {
      const as = await oauth4webapiServer(server);
      const res = await oauth.dynamicClientRegistrationRequest(as, metadata, { [oauth.allowInsecureRequests]: true });
      const err = await rejection(oauth.processDynamicClientRegistrationResponse(res));
      expect(err).toBeInstanceOf(oauth.ResponseBodyError);
      const { error, error_description, status } = err as oauth.ResponseBodyError;
      expect(status).toBe(400);
      return { error, description: error_description };
    },
  },
  {
    name: '@modelcontextprotocol/sdk',
    async register(server, metadata) {
      const as = await mcpServer(server);
      return { ...(await registerClient(server.url, { metadata: as, clientMetadata: metadata })) };
    },
    async refusal(server, metadata) {
      const as = await mcpServer(server);
      // The SDK only maps the error codes of its own server to classes; any other code, such as
      // invalid_redirect_uri, reaches the caller as a ServerError carrying error_description as its
      // message. The code is read from the response the SDK received, through its fetchFn.
      let wire: { error?: unknown } = {};
      const fetchFn = async (url: string | URL, init?: RequestInit) => {
        const res = await fetch(url, init);
        wire = (await res.clone().json()) as { error?: unknown };
        return res;
      };
      const err = await rejection(registerClient(server.url, { metadata: as, clientMetadata: metadata, fetchFn }));
      expect(err).toBeInstanceOf(Error);
      return { error: wire.error, description: (err as Error).message };
    },
  },
];

const CASES = [
  {
    name: 'a confidential client',
    metadata: { client_name: 'Confidential', redirect_uris: ['http://localhost:5173/callback'] },
    secret: true,
  },
  {
    name: 'a public client (none)',
    metadata: { redirect_uris: ['http://127.0.0.1:8976/callback'], token_endpoint_auth_method: 'none' },
    secret: false,
  },
];

describe.each(LIBRARIES)('$name against dcr-mock', (library) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it.each(CASES)('registers $name', async ({ metadata, secret }) => {
    const client = await library.register(server, metadata);
    expect(client['client_id']).toMatch(TPC_ID);
    expect(client['redirect_uris']).toEqual(metadata.redirect_uris);
    expect(client['token_endpoint_auth_method']).toBe(metadata.token_endpoint_auth_method ?? 'client_secret_post');
    if (secret) {
      expect(client['client_secret']).toMatch(SECRET);
      expect(client['client_secret_expires_at']).toBe(0);
    } else {
      expect(client).not.toHaveProperty('client_secret');
      expect(client).not.toHaveProperty('client_secret_expires_at');
    }
    expect(server.store.has(client['client_id'] as string)).toBe(true);
  });

  it('surfaces invalid_redirect_uri for a redirect URI with a fragment', async () => {
    const sequence = server.store.sequence;
    const refusal = await library.refusal(server, { redirect_uris: ['https://app.example.com/cb#fragment'] });
    expect(refusal).toEqual({
      error: 'invalid_redirect_uri',
      description: expect.stringMatching(/^redirect_uris\[0\] must /),
    });
    expect(server.store.sequence).toBe(sequence);
  });
});

describe('@modelcontextprotocol/sdk discovery through openid-configuration', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it('accepts the OpenID form, its fallback when oauth-authorization-server is missing', async () => {
    const asked: string[] = [];
    const fetchFn = async (url: string | URL, init?: RequestInit) => {
      asked.push(new URL(url).pathname);
      if (new URL(url).pathname === '/.well-known/oauth-authorization-server') return new Response('', { status: 404 });
      return fetch(url, init);
    };
    const metadata = await discoverAuthorizationServerMetadata(server.url, { fetchFn });
    expect(asked).toEqual(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
    expect(metadata?.registration_endpoint).toBe(server.registrationEndpoint);
    expect(metadata?.issuer).toBe(server.issuer);
  });
});
