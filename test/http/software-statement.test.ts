import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import type { RunningServer } from '../../src/server.js';
import { ALGS, keyPair, signJwt, unsignedJwt } from '../support/jwt.js';
import { register, start, tempDir } from '../support/server.js';

const CLOCK = '2026-01-01T00:00:00Z';
const NOW_S = Date.parse(CLOCK) / 1000;
const dir = tempDir();
const plain = { client_name: 'Plain name', redirect_uris: ['https://plain.example/cb'], scope: 'openid' };
const claims = {
  software_id: 'signed-app',
  client_name: 'Signed name',
  redirect_uris: ['https://signed.example/cb'],
  iss: 'https://vendor.example',
};

describe('software_statement without a key: decoded, not verified', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ profile: 'rfc7591' });
  });
  afterAll(() => server.close());

  it('its claims win over the same metadata in the clear; the statement is echoed unmodified', async () => {
    const statement = unsignedJwt(claims);
    const res = await register(server, { ...plain, software_statement: statement });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      client_name: 'Signed name',
      redirect_uris: ['https://signed.example/cb'],
      scope: 'openid',
      software_id: 'signed-app',
      software_statement: statement,
    });
    expect(res.json).not.toHaveProperty('iss');
  });

  it.each([
    ['not a JWT', 'hello'],
    ['two parts', 'eyJhbGciOiJub25lIn0.e30'],
    ['a JWE (five parts)', 'a.b.c.d.e'],
    ['a header without alg', `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.`],
    [
      'claims that are not an object',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.`,
    ],
    ['not base64url JSON', 'eyJhbGciOiJub25lIn0.!!!.sig'],
    ['a number', 42],
  ])('%s → 400 invalid_software_statement, nothing stored', async (_name, statement) => {
    const before = server.store.sequence;
    const res = await register(server, { ...plain, software_statement: statement });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('invalid_software_statement');
    expect(res.json['error_description']).toMatch(/^software_statement must be a JWT/);
    expect(server.store.sequence).toBe(before);
  });

  it('claims are validated like metadata', async () => {
    const res = await register(server, {
      ...plain,
      software_statement: unsignedJwt({ redirect_uris: ['https://a.example/#x'] }),
    });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('invalid_redirect_uri');
  });

  it('auth0 applies the claims but answers in its own shape', async () => {
    const auth0 = await start({});
    try {
      const res = await register(auth0, { ...plain, software_statement: unsignedJwt(claims) });
      expect(res.status).toBe(201);
      expect(res.json['client_name']).toBe('Signed name');
      expect(res.json).not.toHaveProperty('software_statement');
    } finally {
      await auth0.close();
    }
  });
});

describe.each(ALGS)('--software-statement-key with %s', (alg) => {
  const keys = keyPair(alg);
  const other = keyPair(alg);
  let server: RunningServer;
  beforeAll(async () => {
    const file = join(dir, `${alg}.pem`);
    writeFileSync(file, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    server = await start({ softwareStatementKey: file, clock: CLOCK });
  });
  afterAll(() => server.close());

  const send = (statement: string) => register(server, { ...plain, software_statement: statement });

  it('a statement signed by the key → 201, its claims applied', async () => {
    const res = await send(signJwt({ ...claims, exp: NOW_S + 60 }, alg, keys.privateKey));
    expect(res.status, res.text).toBe(201);
    expect(res.json['client_name']).toBe('Signed name');
  });

  it.each([
    { name: 'signed by another key', make: () => signJwt(claims, alg, other.privateKey) },
    {
      name: 'claims changed after signing',
      make: () => {
        const [h, , s] = signJwt(claims, alg, keys.privateKey).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...claims, client_name: 'Evil' })).toString('base64url')}.${s}`;
      },
    },
    { name: 'unsigned (alg none)', make: () => unsignedJwt(claims) },
    {
      name: 'an HMAC alg',
      make: () => {
        const [, p, s] = signJwt(claims, alg, keys.privateKey).split('.');
        return `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${p}.${s}`;
      },
    },
    { name: 'expired', make: () => signJwt({ ...claims, exp: NOW_S }, alg, keys.privateKey) },
    { name: 'not valid yet', make: () => signJwt({ ...claims, nbf: NOW_S + 10 }, alg, keys.privateKey) },
    {
      name: 'with an empty signature',
      make: () => `${signJwt(claims, alg, keys.privateKey).split('.').slice(0, 2).join('.')}.`,
    },
  ])('$name → 400 unapproved_software_statement, nothing stored', async ({ make }) => {
    const before = server.store.sequence;
    const res = await send(make());
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('unapproved_software_statement');
    expect(res.json['error_description']).toMatch(/^software_statement /);
    expect(server.store.sequence).toBe(before);
  });

  it('not a JWT at all is still invalid_software_statement', async () => {
    const res = await send('nope');
    expect(res.json['error']).toBe('invalid_software_statement');
  });
});

describe('--software-statement-key forms', () => {
  const rsa = keyPair('RS256');
  const ec = keyPair('ES256');

  it('a JWK set file: the key is chosen by kid', async () => {
    const file = join(dir, 'jwks.json');
    const jwk = (k: typeof rsa, kid: string) => ({ ...k.publicKey.export({ format: 'jwk' }), kid });
    writeFileSync(file, JSON.stringify({ keys: [jwk(rsa, 'r1'), jwk(ec, 'e1')] }));
    const server = await start({ softwareStatementKey: file });
    const withStatement = (jwt: string) => register(server, { ...plain, software_statement: jwt });
    try {
      expect((await withStatement(signJwt(claims, 'ES256', ec.privateKey, { kid: 'e1' }))).status).toBe(201);
      expect((await withStatement(signJwt(claims, 'RS256', rsa.privateKey, { kid: 'r1' }))).status).toBe(201);
      const wrongKid = await withStatement(signJwt(claims, 'RS256', rsa.privateKey, { kid: 'e1' }));
      expect(wrongKid.json['error']).toBe('unapproved_software_statement');
    } finally {
      await server.close();
    }
  });

  it('a JWK object and PEM text, from the programmatic API', async () => {
    for (const key of [
      ec.publicKey.export({ format: 'jwk' }),
      ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ]) {
      const server = await start({ softwareStatementKey: key });
      try {
        expect(
          (await register(server, { ...plain, software_statement: signJwt(claims, 'ES256', ec.privateKey) })).status,
        ).toBe(201);
      } finally {
        await server.close();
      }
    }
  });

  it('a key without kid is tried whatever kid the header names', async () => {
    const server = await start({
      softwareStatementKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    try {
      const res = await register(server, {
        ...plain,
        software_statement: signJwt(claims, 'ES256', ec.privateKey, { kid: 'any' }),
      });
      expect(res.status, res.text).toBe(201);
    } finally {
      await server.close();
    }
  });

  it.each([
    { name: 'PKCS #8 PEM', key: () => rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    { name: 'PKCS #1 PEM', key: () => rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() },
    { name: 'a JWK', key: () => rsa.privateKey.export({ format: 'jwk' }) },
  ])('a private key ($name): its public half verifies', async ({ key }) => {
    const server = await start({ softwareStatementKey: key() });
    try {
      const res = await register(server, { ...plain, software_statement: signJwt(claims, 'RS256', rsa.privateKey) });
      expect(res.status, res.text).toBe(201);
    } finally {
      await server.close();
    }
  });

  it('a JWK set may hold keys that verify nothing (an X25519 key): they are left out', async () => {
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    const server = await start({ softwareStatementKey: { keys: [x25519, ec.publicKey.export({ format: 'jwk' })] } });
    try {
      const res = await register(server, { ...plain, software_statement: signJwt(claims, 'ES256', ec.privateKey) });
      expect(res.status, res.text).toBe(201);
    } finally {
      await server.close();
    }
  });

  it.each([
    {
      name: 'an RSA key under 2048 bits',
      value: () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }),
      says: /RSA keys must be 2048 bits or more, this one has 1024/,
    },
    {
      name: 'an Ed448 key',
      value: () => generateKeyPairSync('ed448').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      says: /an Ed25519 key/,
    },
    {
      name: 'an X25519 key alone',
      value: () => generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }),
      says: /key type OKP X25519 cannot verify/,
    },
    { name: 'a malformed JWK', value: () => ({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }), says: /malformed/ },
    {
      name: 'a PEM block of another kind',
      value: () => '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
      says: /PEM must be a PUBLIC KEY, a CERTIFICATE or a PRIVATE KEY, not ENCRYPTED PRIVATE KEY/,
    },
  ])('$name → the start fails, one line, exit code 2', async ({ value, says }) => {
    const started = start({ softwareStatementKey: value() });
    await expect(started).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(says) });
    await expect(started).rejects.toThrow(/^Failed to read the options: --software-statement-key [^\n]+$/);
  });

  it.each([
    { name: 'a missing file', value: join(dir, 'missing.pem'), says: /cannot read .*missing\.pem \(ENOENT\)/ },
    { name: 'a file that holds no key', value: 'package.json', says: /must hold a public key/ },
    { name: 'a symmetric JWK', value: { kty: 'oct', k: 'c2VjcmV0' }, says: /symmetric/ },
    { name: 'an empty JWK set', value: { keys: [] }, says: /no key/ },
  ])('$name → one line, exit code 2', ({ value, says }) => {
    let error: (Error & { exitCode?: number }) | undefined;
    try {
      resolveConfig({ softwareStatementKey: value });
    } catch (err) {
      error = err as Error & { exitCode?: number };
    }
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toMatch(says);
    expect(error?.message).toMatch(/^Failed to read the options: --software-statement-key [^\n]+$/);
  });
});

describe('what jose refuses once the signature verifies', () => {
  const ec = keyPair('ES256');
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ softwareStatementKey: ec.publicKey.export({ format: 'jwk' }), clock: CLOCK });
  });
  afterAll(() => server.close());

  it.each([
    {
      name: 'an exp that is not a number',
      jwt: () => signJwt({ ...claims, exp: 'tomorrow' }, 'ES256', ec.privateKey),
      says: 'software_statement exp must be a number of seconds since 1970 (RFC 7519 NumericDate)',
    },
    {
      name: 'a crit header naming an unknown extension',
      jwt: () => signJwt(claims, 'ES256', ec.privateKey, { crit: ['x-vendor'], 'x-vendor': 1 }),
      says: 'software_statement must be a JWS dcr-mock can verify: Extension Header Parameter "x-vendor" is not recognized',
    },
  ])('$name → 400 invalid_software_statement, nothing stored', async ({ jwt, says }) => {
    const before = server.store.sequence;
    const res = await register(server, { ...plain, software_statement: jwt() });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'invalid_software_statement', error_description: says });
    expect(server.store.sequence).toBe(before);
  });
});
