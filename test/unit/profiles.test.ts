import { describe, expect, it } from 'vitest';
import { PROFILES, type Profile } from '../../src/config.js';
import type { ClientMetadata } from '../../src/registration/metadata.js';
import { type IssuedFacts, clientResponse, profileSpec } from '../../src/registration/profiles.js';

const CREDENTIALS = { client_id: 'id-1', client_secret: 'secret-1' };
const FACTS: IssuedFacts = { issuedAt: 1_767_225_600, registrationAccessToken: 'rat-1', oidcRules: true };
const CB = 'https://app.example/cb';

/** The answer as bytes: the order of the fields is part of it. */
const answer = (profile: Profile, metadata: ClientMetadata, facts = FACTS) =>
  JSON.stringify(clientResponse(profileSpec(profile), metadata, CREDENTIALS, facts));
const json = (value: unknown) => JSON.stringify(value);

describe('profileSpec', () => {
  it.each([
    {
      profile: 'auth0',
      idPrefix: 'tpc_',
      defaultAuthMethod: 'client_secret_post',
      management: undefined,
      oidcRules: undefined,
    },
    {
      profile: 'auth0-permissive',
      idPrefix: '',
      defaultAuthMethod: 'client_secret_post',
      management: undefined,
      oidcRules: undefined,
    },
    { profile: 'rfc7591', idPrefix: '', defaultAuthMethod: 'client_secret_basic', management: true, oidcRules: true },
  ] as const)('$profile', (row) => {
    const spec = profileSpec(row.profile);
    expect(spec).toMatchObject({
      name: row.profile,
      idPrefix: row.idPrefix,
      defaultAuthMethod: row.defaultAuthMethod,
    });
    expect(spec.management).toBe(row.management);
    expect(spec.oidcRules).toBe(row.oidcRules);
  });

  it('knows every profile the options accept', () => {
    for (const profile of PROFILES) expect(profileSpec(profile).name).toBe(profile);
  });
});

describe('what each profile answers', () => {
  const minimal: ClientMetadata = { redirect_uris: [CB] };

  it.each([
    {
      name: 'auth0 with defaults',
      profile: 'auth0',
      metadata: minimal,
      holds: {
        client_name: 'My App',
        client_id: 'id-1',
        client_secret: 'secret-1',
        client_secret_expires_at: 0,
        redirect_uris: [CB],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    },
    {
      // Only the grant types Auth0 knows, once each, in the order asked; no secret for none; other fields left out.
      name: 'auth0 keeping the grant types it knows',
      profile: 'auth0',
      metadata: {
        redirect_uris: [CB],
        client_name: 'App',
        grant_types: ['refresh_token', 'client_credentials', 'authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
        scope: 'openid',
        client_uri: 'https://app.example',
      },
      holds: {
        client_name: 'App',
        client_id: 'id-1',
        redirect_uris: [CB],
        grant_types: ['refresh_token', 'authorization_code'],
        token_endpoint_auth_method: 'none',
      },
    },
    {
      name: 'auth0 given no grant type it knows',
      profile: 'auth0',
      metadata: { redirect_uris: [CB], grant_types: ['implicit'] },
      holds: {
        client_name: 'My App',
        client_id: 'id-1',
        client_secret: 'secret-1',
        client_secret_expires_at: 0,
        redirect_uris: [CB],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    },
    {
      name: 'auth0-permissive keeping every grant',
      profile: 'auth0-permissive',
      metadata: { redirect_uris: [CB], grant_types: ['client_credentials', 'implicit', 'client_credentials'] },
      holds: {
        client_name: 'My App',
        client_id: 'id-1',
        client_secret: 'secret-1',
        client_secret_expires_at: 0,
        redirect_uris: [CB],
        grant_types: ['client_credentials', 'implicit'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    },
    {
      name: 'auth0-permissive given no grant type',
      profile: 'auth0-permissive',
      metadata: { redirect_uris: [CB], grant_types: [] },
      holds: {
        client_name: 'My App',
        client_id: 'id-1',
        client_secret: 'secret-1',
        client_secret_expires_at: 0,
        redirect_uris: [CB],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    },
    {
      name: 'rfc7591 with defaults',
      profile: 'rfc7591',
      metadata: minimal,
      holds: {
        client_id: 'id-1',
        client_secret: 'secret-1',
        client_id_issued_at: FACTS.issuedAt,
        client_secret_expires_at: 0,
        redirect_uris: [CB],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        application_type: 'web',
        registration_access_token: 'rat-1',
      },
    },
    {
      // Every registered value, as asked, in the order of the metadata table; no secret for none.
      name: 'rfc7591 echoing every registered value',
      profile: 'rfc7591',
      metadata: {
        software_statement: 'a.b.c',
        contacts: ['ops@app.example'],
        redirect_uris: [CB],
        application_type: 'native',
        response_types: ['code', 'token'],
        grant_types: ['implicit', 'implicit'],
        token_endpoint_auth_method: 'none',
        client_name: 'App',
        scope: 'openid',
        software_id: 'app',
        software_version: '1',
        jwks_uri: 'https://app.example/jwks',
        policy_uri: 'https://app.example/policy',
        tos_uri: 'https://app.example/tos',
        logo_uri: 'https://app.example/logo',
        client_uri: 'https://app.example',
      },
      holds: {
        client_id: 'id-1',
        client_id_issued_at: FACTS.issuedAt,
        redirect_uris: [CB],
        token_endpoint_auth_method: 'none',
        grant_types: ['implicit', 'implicit'],
        response_types: ['code', 'token'],
        client_name: 'App',
        application_type: 'native',
        client_uri: 'https://app.example',
        logo_uri: 'https://app.example/logo',
        tos_uri: 'https://app.example/tos',
        policy_uri: 'https://app.example/policy',
        jwks_uri: 'https://app.example/jwks',
        contacts: ['ops@app.example'],
        scope: 'openid',
        software_id: 'app',
        software_version: '1',
        software_statement: 'a.b.c',
        registration_access_token: 'rat-1',
      },
    },
  ] as const)('$name: these fields exactly, in this order', ({ profile, metadata, holds }) => {
    expect(answer(profile, metadata as ClientMetadata)).toBe(json(holds));
  });

  it('rfc7591 leaves application_type out with the OIDC rules off, and the token out without management', () => {
    const facts: IssuedFacts = { issuedAt: FACTS.issuedAt, registrationAccessToken: undefined, oidcRules: false };
    expect(answer('rfc7591', minimal, facts)).toBe(
      json({
        client_id: 'id-1',
        client_secret: 'secret-1',
        client_id_issued_at: FACTS.issuedAt,
        client_secret_expires_at: 0,
        redirect_uris: [CB],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }),
    );
  });

  it('the auth0 profiles answer in their own shape whatever the facts say', () => {
    for (const profile of ['auth0', 'auth0-permissive'] as const) {
      const answered = JSON.parse(answer(profile, minimal));
      expect(answered).not.toHaveProperty('client_id_issued_at');
      expect(answered).not.toHaveProperty('registration_access_token');
      expect(answered).not.toHaveProperty('application_type');
    }
  });
});
