import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startDcrMock } from 'dcr-mock';

const mock = await startDcrMock(); // in your tests; `npx dcr-mock` by hand
const jwks = createRemoteJWKSet(new URL(`${mock.issuer}.well-known/jwks.json`));

// Your MCP server: its protected resource metadata names dcr-mock as its authorization server, and it
// accepts only tokens dcr-mock signed for it.
const yours = createServer(async (req, res) => {
  const resource = `http://127.0.0.1:${yours.address().port}/mcp`;
  const metadataUrl = `http://127.0.0.1:${yours.address().port}/.well-known/oauth-protected-resource/mcp`;
  if (req.url === '/.well-known/oauth-protected-resource/mcp') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ resource, authorization_servers: [mock.issuer] }));
  }
  try {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const { payload } = await jwtVerify(token, jwks, { issuer: mock.issuer, audience: resource });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hello: payload.sub })); // here your MCP server would answer
  } catch {
    res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${metadataUrl}"` });
    res.end();
  }
});
await new Promise((resolve) => yours.listen(0, '127.0.0.1', resolve));
const mcpUrl = `http://127.0.0.1:${yours.address().port}/mcp`;

try {
  assert.equal((await fetch(mcpUrl)).status, 401);

  // What an MCP client does, by hand: register, authorize with resource, exchange the code.
  const redirect_uri = 'http://127.0.0.1:8765/callback';
  const registration = await fetch(mock.registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [redirect_uri], token_endpoint_auth_method: 'none' }),
  });
  const { client_id } = await registration.json();
  const code_verifier = 'a-code-verifier-of-at-least-forty-three-characters';
  const code_challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(code_verifier))).toString('base64url');
  const authorizationUrl = `${mock.issuer}authorize?${new URLSearchParams({ client_id, redirect_uri, response_type: 'code', resource: mcpUrl, code_challenge, code_challenge_method: 'S256' })}`;
  const code = new URL(await mock.authorize(authorizationUrl)).searchParams.get('code');
  const tokens = await fetch(`${mock.issuer}oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id, code, redirect_uri, code_verifier }),
  });
  const { access_token } = await tokens.json();

  const answer = await fetch(mcpUrl, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(answer.status, 200);
  assert.match((await answer.json()).hello, /^auth0\|/);
} finally {
  yours.close();
  await mock.close();
}
