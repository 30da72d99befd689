// What the token targets are loaded with: codes and refresh tokens made before each round through the
// servers' own authorization flows over HTTP, since every one of them works once (and the access token
// the MCP row calls /mcp with, made the same way once, since it works until it expires). A pool row's requests
// are `body.before + value + body.after`, one value each; `next` names the member of a 200 answer that
// goes back into the pool (the rotated refresh token), so each family is refreshed one request at a time.
import { createHash } from 'node:crypto';

/** The fixture client the dcr-mock token rows use (fixtures/clients.json): public, PKCE, refresh_token grant. */
export const DCR_MOCK_CLIENT = { clientId: 'fixture-native-app', redirectUri: 'http://127.0.0.1:8765/callback' };
/** The one client bench/oidc-provider.js configures. */
export const OIDC_PROVIDER_CLIENT = { clientId: 'bench', redirectUri: 'http://127.0.0.1:8765/callback' };

/** What a login in the bench asks for: an id_token, a refresh token, and (on dcr-mock) a JWT access token for an API. */
const SCOPE = 'openid offline_access';
const LOGIN = { scope: SCOPE, audience: 'https://api.bench.example/' };
/** A refresh token and an opaque access token only. */
const UNSIGNED_LOGIN = { scope: 'offline_access' };

/** One PKCE pair for every code: the server hashes the verifier on every exchange all the same. */
const VERIFIER = 'bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
const CHALLENGE = createHash('sha256').update(VERIFIER, 'ascii').digest('base64url');

/** Flows run side by side while a pool is made. */
const CONCURRENCY = 8;

const form = (params) => new URLSearchParams(params).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * dcr-mock's /authorize with --login auto: the 302 to the redirect URI carries the code. With neither
 * openid nor an audience the access token is opaque and there is no id_token: nothing is signed.
 */
async function dcrMockCode(base, { scope, audience, resource } = LOGIN) {
  const query = form({
    client_id: DCR_MOCK_CLIENT.clientId,
    response_type: 'code',
    redirect_uri: DCR_MOCK_CLIENT.redirectUri,
    scope,
    ...(audience && { audience }),
    ...(resource && { resource }),
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'bench',
  });
  const res = await fetch(`${base}/authorize?${query}`, { redirect: 'manual' });
  return codeFrom(res, 'dcr-mock');
}

function codeFrom(res, server) {
  const location = res.headers.get('location');
  const code = location && new URL(location, 'http://x').searchParams.get('code');
  if (res.status < 300 || res.status > 399 || !code) {
    throw new Error(`Failed to get a code from ${server}: ${res.status} ${location ?? ''}`);
  }
  return code;
}

/** The token endpoint's answer to a code exchange, parsed; `member` must be in it. */
async function exchangeCode(tokenUrl, clientId, redirectUri, code, server, member = 'refresh_token', extra = {}) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: FORM,
    body: form({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: VERIFIER,
      ...extra,
    }),
  });
  const text = await res.text();
  const value = res.status === 200 ? JSON.parse(text)[member] : undefined;
  if (!value) throw new Error(`Failed to get a ${member} from ${server}: ${res.status} ${text.slice(0, 300)}`);
  return value;
}

/**
 * oidc-provider's own flow with its development pages: /auth, the login form, the consent form
 * (offline_access is granted with prompt=consent only), back to /auth, then the code exchange. Its
 * pages need their cookies, kept here for one flow.
 */
async function oidcProviderRefreshToken(base) {
  const jar = new Map();
  const step = async (url, init = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(new URL(url, base), {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie && { cookie }) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (value === '' || expired) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const query = form({
    client_id: OIDC_PROVIDER_CLIENT.clientId,
    response_type: 'code',
    redirect_uri: OIDC_PROVIDER_CLIENT.redirectUri,
    scope: SCOPE,
    prompt: 'consent',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'bench',
  });
  let res = await step(`/auth?${query}`);
  for (let i = 0; i < 8; i++) {
    const location = res.headers.get('location') ?? '';
    if (location.startsWith(OIDC_PROVIDER_CLIENT.redirectUri)) {
      const code = codeFrom(res, 'oidc-provider');
      return exchangeCode(
        `${base}/token`,
        OIDC_PROVIDER_CLIENT.clientId,
        OIDC_PROVIDER_CLIENT.redirectUri,
        code,
        'oidc-provider',
      );
    }
    if (!new URL(location, base).pathname.startsWith('/interaction/')) {
      res = await step(location);
      continue;
    }
    const page = await (await step(location)).text();
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (!prompt) throw new Error(`Failed to find oidc-provider's ${location} form: ${page.slice(0, 300)}`);
    const fields = prompt === 'login' ? { prompt, login: 'bench-user', password: 'bench' } : { prompt };
    res = await step(location, { method: 'POST', headers: FORM, body: form(fields) });
  }
  throw new Error(`Failed to log in to oidc-provider: still at ${res.status} ${res.headers.get('location')}`);
}

/** What an MCP client sends once it holds a token: a JSON-RPC tools/call of `echo`, the SDK client's headers. */
const MCP_CALL_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'bench' } },
});

/**
 * The MCP row's one request, made once before the load: an access token for dcr-mock's /mcp (scope
 * mcp:tools, resource `${base}/mcp`, by the code flow), and a first call that must answer the echo,
 * which is the row's probe. /mcp is stateless (src/mcp/tools.ts), so no initialize comes first and the
 * same request can be sent again and again.
 */
async function dcrMockMcpCall(base) {
  const resource = `${base}/mcp`;
  const code = await dcrMockCode(base, { scope: 'mcp:tools', resource });
  const token = await exchangeCode(
    `${base}/oauth/token`,
    DCR_MOCK_CLIENT.clientId,
    DCR_MOCK_CLIENT.redirectUri,
    code,
    'dcr-mock',
    'access_token',
    { resource },
  );
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    authorization: `Bearer ${token}`,
  };
  const res = await fetch(resource, { method: 'POST', headers, body: MCP_CALL_BODY });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('"text":"bench"')) {
    throw new Error(`Failed to call the echo tool at ${resource}: ${res.status} ${text.slice(0, 300)}`);
  }
  return { headers, body: MCP_CALL_BODY };
}

/** The rows that send one request made before the load, by row: `make(base)` → `{ headers, body }`. */
export const CALLS = {
  'dcr-mock-mcp-call': { what: 'an access token for /mcp', make: dcrMockMcpCall },
};

/** `n` results of `make()`, CONCURRENCY at a time. */
async function times(n, make) {
  const results = [];
  const worker = async () => {
    while (results.length < n) {
      const at = results.length;
      results[at] = undefined;
      results[at] = await make();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, CONCURRENCY) }, worker));
  return results;
}

/**
 * The pools, by row. `per`: 'connection' makes one refresh-token family per connection (twice as many,
 * so a request lost to a connection error leaves the others theirs); 'request' makes one code per
 * request the round is expected to send (see run.js).
 */
const dcrMockRefresh = (login) => ({
  per: 'connection',
  what: 'refresh-token families',
  make: (base, n) =>
    times(n, async () =>
      exchangeCode(
        `${base}/oauth/token`,
        DCR_MOCK_CLIENT.clientId,
        DCR_MOCK_CLIENT.redirectUri,
        await dcrMockCode(base, login),
        'dcr-mock',
      ),
    ),
  body: { before: form({ grant_type: 'refresh_token', client_id: DCR_MOCK_CLIENT.clientId, refresh_token: '' }) },
  next: 'refresh_token',
});

export const POOLS = {
  'dcr-mock-refresh': dcrMockRefresh(LOGIN),
  'dcr-mock-refresh-unsigned': dcrMockRefresh(UNSIGNED_LOGIN),
  'dcr-mock-code': {
    per: 'request',
    what: 'codes',
    make: (base, n) => times(n, () => dcrMockCode(base)),
    body: {
      before: `${form({
        grant_type: 'authorization_code',
        client_id: DCR_MOCK_CLIENT.clientId,
        redirect_uri: DCR_MOCK_CLIENT.redirectUri,
        code_verifier: VERIFIER,
      })}&code=`,
    },
  },
  'oidc-provider-refresh': {
    per: 'connection',
    what: 'refresh-token families',
    make: (base, n) => times(n, () => oidcProviderRefreshToken(base)),
    body: {
      before: form({ grant_type: 'refresh_token', client_id: OIDC_PROVIDER_CLIENT.clientId, refresh_token: '' }),
    },
    next: 'refresh_token',
  },
};
