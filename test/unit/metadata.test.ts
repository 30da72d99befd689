import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/errors.js';
import { FIELD_RULES } from '../../src/registration/metadata.js';
import { type ValidationOptions, validateClientMetadata } from '../../src/registration/validate.js';

const CB = 'https://app.example/cb';
const META = 'invalid_client_metadata';
const REDIRECT = 'invalid_redirect_uri';

/** A body refused, with the answer it gets: code and description, always 400. */
interface Refusal {
  readonly field: string;
  readonly value: unknown;
  readonly error: typeof META | typeof REDIRECT;
  readonly description: string;
  /** Defaults to a body of `{ redirect_uris: [CB], [field]: value }`. */
  readonly body?: unknown;
  readonly options?: ValidationOptions;
}

const uris = (...list: unknown[]) => ({ field: 'redirect_uris', value: list, body: { redirect_uris: list } });

const REFUSED: readonly Refusal[] = [
  { field: '(body)', value: null, body: null, error: META, description: 'request body must be a JSON object' },
  { field: '(body)', value: [], body: [], error: META, description: 'request body must be a JSON object' },
  { field: '(body)', value: 'x', body: 'x', error: META, description: 'request body must be a JSON object' },
  { field: '(body)', value: 42, body: 42, error: META, description: 'request body must be a JSON object' },
  { field: 'redirect_uris', value: undefined, body: {}, error: REDIRECT, description: 'redirect_uris must be given' },
  {
    field: 'redirect_uris',
    value: null,
    body: { redirect_uris: null },
    error: REDIRECT,
    description: 'redirect_uris must be given',
  },
  {
    field: 'redirect_uris',
    value: CB,
    body: { redirect_uris: CB },
    error: REDIRECT,
    description: 'redirect_uris must be an array of URIs',
  },
  { ...uris(), error: REDIRECT, description: 'redirect_uris must hold at least one URI' },
  { ...uris(7), error: REDIRECT, description: 'redirect_uris[0] must be a string' },
  { ...uris('/cb'), error: REDIRECT, description: 'redirect_uris[0] must be an absolute URI, got "/cb"' },
  { ...uris('myapp:'), error: REDIRECT, description: 'redirect_uris[0] must be an absolute URI, got "myapp:"' },
  {
    ...uris(`/${'x'.repeat(300)}`),
    error: REDIRECT,
    description: `redirect_uris[0] must be an absolute URI, got "/${'x'.repeat(199)}"`,
  },
  {
    ...uris(CB, 'javascript:alert(1)'),
    error: REDIRECT,
    description: 'redirect_uris[1] must not use the javascript:, data:, vbscript: or file: scheme',
  },
  {
    ...uris('DATA:text/html,x'),
    error: REDIRECT,
    description: 'redirect_uris[0] must not use the javascript:, data:, vbscript: or file: scheme',
  },
  { ...uris(`${CB}#top`), error: REDIRECT, description: 'redirect_uris[0] must not contain a fragment (#)' },
  {
    ...uris('https://*.app.example/cb'),
    error: REDIRECT,
    description: 'redirect_uris[0] must not contain a wildcard (*): callbacks are matched exactly',
  },
  { ...uris(`${CB}?a= b`), error: REDIRECT, description: 'redirect_uris[0] must not contain white space' },
  { field: 'client_name', value: 1, error: META, description: 'client_name must be a string' },
  {
    field: 'grant_types',
    value: 'authorization_code',
    error: META,
    description: 'grant_types must be an array of strings',
  },
  {
    field: 'response_types',
    value: ['code', 1],
    error: META,
    description: 'response_types must be an array of strings',
  },
  {
    field: 'token_endpoint_auth_method',
    value: 'private_key_jwt',
    error: META,
    description: 'token_endpoint_auth_method must be one of client_secret_post, client_secret_basic, none',
  },
  {
    field: 'application_type',
    value: 'desktop',
    error: META,
    description: 'application_type must be one of web, native',
  },
  { field: 'application_type', value: true, error: META, description: 'application_type must be one of web, native' },
  {
    field: 'client_uri',
    value: 'ftp://app.example',
    error: META,
    description: 'client_uri must be an absolute http(s) URI',
  },
  { field: 'client_uri', value: 'https:', error: META, description: 'client_uri must be an absolute http(s) URI' },
  {
    field: 'logo_uri',
    value: 'javascript:alert(1)',
    error: META,
    description: 'logo_uri must be an absolute http(s) URI',
  },
  { field: 'tos_uri', value: 'app.example/tos', error: META, description: 'tos_uri must be an absolute http(s) URI' },
  {
    field: 'policy_uri',
    value: 'mailto:legal@app.example',
    error: META,
    description: 'policy_uri must be an absolute http(s) URI',
  },
  {
    field: 'jwks_uri',
    value: ['https://app.example/jwks'],
    error: META,
    description: 'jwks_uri must be an absolute http(s) URI',
  },
  { field: 'contacts', value: 'ops@app.example', error: META, description: 'contacts must be an array of strings' },
  { field: 'scope', value: ['openid'], error: META, description: 'scope must be a string' },
  { field: 'software_id', value: 1, error: META, description: 'software_id must be a string' },
  { field: 'software_version', value: 1.2, error: META, description: 'software_version must be a string' },
  { field: 'software_statement', value: {}, error: META, description: 'software_statement must be a string' },
  {
    field: 'client_name',
    value: 1,
    body: { redirect_uris: [CB], scope: 2, client_name: 1 },
    error: META,
    description: 'client_name must be a string',
  },
];

/** OpenID Connect Registration 1.0 §2 and RFC 8252, with the OIDC rules on. */
const OIDC: ValidationOptions = { oidcRules: true };
const oidc = (body: Record<string, unknown>) => ({
  field: 'redirect_uris',
  value: body['redirect_uris'],
  body,
  options: OIDC,
});

const REFUSED_BY_OIDC_RULES: readonly Refusal[] = [
  {
    ...oidc({ redirect_uris: ['http://app.example/cb'] }),
    error: REDIRECT,
    description:
      'redirect_uris[0] must use https (or http on a loopback host: localhost, 127.0.0.1, [::1]) for a web client',
  },
  {
    ...oidc({ redirect_uris: ['myapp:/cb'], application_type: 'web' }),
    error: REDIRECT,
    description:
      'redirect_uris[0] must use https (or http on a loopback host: localhost, 127.0.0.1, [::1]) for a web client',
  },
  {
    ...oidc({ redirect_uris: ['https://localhost/cb'], response_types: ['code id_token'] }),
    error: REDIRECT,
    description:
      'redirect_uris[0] must use https and a host other than localhost for a web client using the implicit flow',
  },
  {
    ...oidc({ redirect_uris: [CB, 'http://127.0.0.1/cb'], response_types: ['token'] }),
    error: REDIRECT,
    description:
      'redirect_uris[1] must use https and a host other than localhost for a web client using the implicit flow',
  },
  {
    ...oidc({ redirect_uris: ['http://app.example/cb'], application_type: 'native' }),
    error: REDIRECT,
    description:
      'redirect_uris[0] must use a custom scheme, https, or http on a loopback host (localhost, 127.0.0.1, [::1]) for a native client',
  },
];

describe('validateClientMetadata refuses', () => {
  it.each([...REFUSED, ...REFUSED_BY_OIDC_RULES])(
    '$field = $value → 400 $error: $description',
    ({ field, value, body, error, description, options }) => {
      const sent = body === undefined ? { redirect_uris: [CB], [field]: value } : body;
      let thrown: unknown;
      try {
        validateClientMetadata(sent, options);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(OAuthError);
      expect(thrown).toMatchObject({ status: 400, error, description });
    },
  );

  it('has a refusal in the table for every field of the metadata table', () => {
    const covered = new Set(REFUSED.map((r) => r.field));
    expect(FIELD_RULES.map((r) => r.field).filter((f) => !covered.has(f))).toEqual([]);
  });
});

describe('validateClientMetadata accepts', () => {
  it.each([
    { name: 'http on a loopback host for a web client', body: { redirect_uris: ['http://127.0.0.1:8080/cb'] } },
    {
      name: 'localhost and [::1] for a web client',
      body: { redirect_uris: ['http://localhost/cb', 'http://[::1]/cb'] },
    },
    {
      name: 'a custom scheme for a native client',
      body: { redirect_uris: ['com.example.app:/cb'], application_type: 'native' },
    },
    { name: 'https for a native client', body: { redirect_uris: [CB], application_type: 'native' } },
    {
      name: 'the implicit flow on an https host',
      body: { redirect_uris: [CB], response_types: ['id_token token'] },
    },
  ])('with the OIDC rules on: $name', ({ body }) => {
    expect(validateClientMetadata(body, OIDC).redirect_uris).toEqual(body.redirect_uris);
  });

  it('any absolute URI but the forbidden schemes when the OIDC rules are off', () => {
    const redirect_uris = ['http://app.example/cb', 'myapp:/cb', 'urn:ietf:wg:oauth:2.0:oob'];
    expect(validateClientMetadata({ redirect_uris })).toEqual({ redirect_uris });
  });

  it('every field of the table, returned as sent; unknown fields and null values left out', () => {
    const body = {
      redirect_uris: [CB],
      client_name: 'App',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      client_uri: 'https://app.example',
      logo_uri: 'https://app.example/logo.png',
      tos_uri: 'https://app.example/tos',
      policy_uri: 'HTTP://app.example/policy',
      jwks_uri: 'https://app.example/jwks',
      contacts: ['ops@app.example'],
      scope: 'openid profile',
      software_id: 'app',
      software_version: '1.2',
      software_statement: 'a.b.c',
    };
    const metadata = validateClientMetadata({ ...body, client_id: 'chosen', unknown: 1, scope: null, tos_uri: null });
    const { scope: _scope, tos_uri: _tos, ...kept } = body;
    expect(metadata).toEqual(kept);
    expect(Object.keys(body).filter((f) => f !== 'redirect_uris')).toEqual(FIELD_RULES.map((r) => r.field));
  });

  it('copies the lists it returns: a later change to the body does not reach the registration', () => {
    const body = { redirect_uris: [CB], contacts: ['a@app.example'] };
    const metadata = validateClientMetadata(body);
    body.contacts.push('b@app.example');
    expect(metadata.contacts).toEqual(['a@app.example']);
  });
});
