#!/usr/bin/env node
// The signing floor: the least a Node.js HTTP server can do to answer a token request the way dcr-mock's
// refresh row is answered. It reads the whole request body, signs two RS256 JWTs (an access token and an
// id_token, with jose's SignJWT and an RSA-2048 key, as dcr-mock does), and sends them as a 200. The
// difference between it and the refresh row is dcr-mock's own work; between it and the floor, the signing.
//
// Usage: node bench/sign-floor.js [--port N] [--quiet]   (prints its base URL as the first stdout line)
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, quiet: { type: 'boolean' } },
});

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const HEADER = { alg: 'RS256', typ: 'JWT', kid: 'sign-floor' };
const ISSUER = 'http://127.0.0.1/';
const HEADERS = {
  'access-control-allow-origin': '*',
  vary: 'origin',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-type': 'application/json; charset=utf-8',
};

const sign = (claims) => new SignJWT(claims).setProtectedHeader(HEADER).sign(privateKey);

async function answer(res) {
  const iat = Math.floor(Date.now() / 1000);
  const sub = 'auth0|000000000000000000000000';
  const [accessToken, idToken] = await Promise.all([
    sign({
      iss: ISSUER,
      sub,
      aud: ['https://api.bench.example/', `${ISSUER}userinfo`],
      iat,
      exp: iat + 86_400,
      scope: 'openid offline_access',
      azp: 'fixture-native-app',
    }),
    sign({ iss: ISSUER, sub, aud: 'fixture-native-app', iat, exp: iat + 36_000 }),
  ]);
  const body = Buffer.from(
    JSON.stringify({
      access_token: accessToken,
      refresh_token: `v1.${'A'.repeat(76)}`,
      id_token: idToken,
      scope: 'openid offline_access',
      expires_in: 86_400,
      token_type: 'Bearer',
    }),
  );
  res.writeHead(200, { ...HEADERS, 'content-length': body.length });
  res.end(body);
}

const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks).toString('utf8');
    answer(res).catch((err) => {
      res.writeHead(500).end();
      process.stderr.write(`${err.stack}\n`);
    });
  });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
