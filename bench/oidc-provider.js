#!/usr/bin/env node
// oidc-provider (panva's, the devDependency's version) configured as little as a token endpoint needs:
// one public client with PKCE, openid and offline_access, refresh tokens issued and rotated, its own
// in-memory adapter and development login pages, an RSA-2048 key signing id_tokens with RS256. The
// bench measures its token endpoint beside dcr-mock's, for scale.
//
// Usage: node bench/oidc-provider.js [--port N] [--quiet]   (prints its base URL as the first stdout line)
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import { OIDC_PROVIDER_CLIENT } from './token-flows.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, quiet: { type: 'boolean' } },
});

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const configuration = {
  clients: [
    {
      client_id: OIDC_PROVIDER_CLIENT.clientId,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [OIDC_PROVIDER_CLIENT.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  scopes: ['openid', 'offline_access'],
  pkce: { required: () => true },
  issueRefreshToken: () => true,
  rotateRefreshToken: true,
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['bench-only-cookie-key'] },
};

// The issuer holds the port, known once the server listens.
const server = createServer({ keepAliveTimeout: 5000 });
server.listen(Number(values.port), '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(base, configuration);
  server.on('request', provider.callback());
  process.stdout.write(`${base}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
