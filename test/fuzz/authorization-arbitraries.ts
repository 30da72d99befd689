import fc from 'fast-check';
import { CATALOGUE } from '../../src/failures/catalogue.js';
import { NASTY_KEYS, body as anyBody, headerValue, jsonText } from './arbitraries.js';

// Requests for /authorize and /oauth/token: mostly near-valid ones with a mutation or two, so that every
// check is reached, and some that are anything at all. Values the runner must fill in from the server
// (a fresh code, the live refresh token) are placeholders starting with `@`.

export const REDIRECT = 'http://127.0.0.1:8765/callback';
export const API = 'https://api.example.com/';

/** The clients a request may name: the runner maps them to ids (and secrets). */
export const CLIENTS = ['@web', '@public', '@machine', '@tpc'] as const;

const junk = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '%', '%ZZ', '\u0000', '\uFFFD', 'null', 'undefined', '[object Object]', '__proto__'),
  fc.integer({ min: 1, max: 5000 }).map((n) => 'x'.repeat(n)),
);
/** Mostly the arbitrary, sometimes junk. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 8 }, { arbitrary: junk, weight: 1 });
/** The first value mostly, the others now and then. */
const usually = (value: string, ...others: string[]) =>
  fc.oneof(
    { arbitrary: fc.constant(value), weight: 4 * others.length },
    { arbitrary: fc.constantFrom(...others), weight: 1 },
  );
/** Mostly absent (null). */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight = 1) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: arb, weight });

/** A failure spec for one endpoint: its modes that answer at once, or junk. */
export const answeringSpecFor = (endpoint: string) => {
  const modes = CATALOGUE.modeNames(endpoint).filter((m) => {
    const kind = CATALOGUE.mode(endpoint, m)!.kind;
    return kind === 'http' || kind === 'bad-success';
  });
  const rule = fc
    .tuple(
      fc.constantFrom(...modes),
      fc.option(fc.constantFrom('times=1', 'status=503', 'status=418', 'rate=0.5', 'after=1', 'times=0', 'x=1')),
    )
    .map(([mode, pair]) => `${endpoint}:${mode}${pair === null ? '' : `:${pair}`}`);
  return fc.oneof(
    { arbitrary: rule, weight: 4 },
    { arbitrary: fc.constantFrom('registration:server_error', `${endpoint}:nope`, 'authorize:', ';;'), weight: 1 },
    { arbitrary: headerValue.map((v) => v.slice(0, 60)), weight: 1 },
  );
};

const scope = maybe(
  fc.constantFrom('openid', 'openid email offline_access', 'read:items', 'offline_access read:items', 'a"b', 'a  b'),
);
/** Values a near miss is made of: right in form, wrong in fact. */
const plausible = fc.constantFrom(
  'fuzz-wrong-verifier-'.padEnd(43, 'w'),
  `${REDIRECT}/other`,
  '@public',
  '@machine',
  '@spent',
  '@refresh',
  '@code',
  'wrong-secret',
  'refresh_token',
  'authorization_code',
  'offline_access',
);
const mutation = fc.oneof(
  fc.record({ drop: fc.nat() }),
  fc.record({ replace: fc.nat(), value: fc.oneof(plausible, junk) }),
  fc.record({ add: fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 8 })), value: junk }),
  fc.record({ duplicate: fc.nat() }),
);
/** None, one, or two: a request that is right but for one thing reaches the deepest checks. */
const mutations = fc.oneof(
  { arbitrary: fc.constant([]), weight: 2 },
  { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.array(mutation, { minLength: 2, maxLength: 2 }), weight: 1 },
);
type Mutation =
  | { drop: number }
  | { replace: number; value: string }
  | { add: string; value: string }
  | { duplicate: number };

/** Applies mutations to a list of parameters (a list, so that a name may come twice). */
function mutate(params: Array<[string, string]>, mutations: readonly Mutation[]): Array<[string, string]> {
  const out = [...params];
  for (const m of mutations) {
    if (out.length === 0 && !('add' in m)) continue;
    if ('drop' in m) out.splice(m.drop % out.length, 1);
    else if ('replace' in m) out[m.replace % out.length] = [out[m.replace % out.length]![0], m.value];
    else if ('add' in m) out.push([m.add, m.value]);
    else out.push(out[m.duplicate % out.length]!);
  }
  return out;
}

const authorizeBase = fc.record({
  client_id: fc.constantFrom(...CLIENTS),
  redirect_uri: maybe(usually(REDIRECT, `${REDIRECT}/other`, 'https://evil.example/cb')),
  response_type: maybe(usually('code', 'token', 'code id_token')),
  scope,
  state: maybe(fc.string({ maxLength: 30 })),
  code_challenge: maybe(usually('@challenge', 'short')),
  code_challenge_method: maybe(usually('S256', 'plain', 's256')),
  prompt: sometimes(maybe(fc.constantFrom('none', 'login', 'consent', 'none login'))),
  audience: sometimes(maybe(fc.constantFrom(API, 'https://other.example/'))),
  resource: sometimes(maybe(fc.constantFrom(API, 'urn:x'))),
  response_mode: sometimes(maybe(fc.constantFrom('query', 'fragment', 'form_post', 'web_message'))),
  login_hint: sometimes(maybe(fc.constantFrom('user@example.com', 'nobody@example.com'))),
  __fail: sometimes(answeringSpecFor('authorize')),
});

/** A query string for GET /authorize (without the `?`), with placeholders. */
export const authorizeQuery: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(authorizeBase, mutations).map(([base, changes]) => {
      const params = Object.entries(base).filter((e): e is [string, string] => e[1] !== null);
      return new URLSearchParams(mutate(params, changes)).toString();
    }),
  },
  {
    weight: 1,
    // Raw: whatever a client may put after the `?` (no `#`, which ends it).
    arbitrary: fc.string({
      unit: fc
        .integer({ min: 0x21, max: 0x7e })
        .filter((c) => c !== 0x23)
        .map((c) => String.fromCharCode(c)),
      maxLength: 120,
    }),
  },
);

/** How a token request is sent. */
export interface TokenRequest {
  readonly encoding: 'form' | 'json' | 'raw';
  /** form and json: the parameters, in order (a name may come twice); values may be placeholders. */
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** json: values sent as they are instead of as strings, by parameter name. */
  readonly rawJson: Readonly<Record<string, string>>;
  readonly raw: string | Uint8Array;
  /** `@matching`: the encoding's own type. */
  readonly contentType: string | null;
  /** `@basic` (the client's own), or any header value. */
  readonly authorization: string | null;
  readonly fail: string | null;
}

const grants: Record<string, fc.Arbitrary<Array<[string, string]>>> = {
  authorization_code: fc
    .oneof(
      {
        arbitrary: fc.constantFrom(['@web', true] as const, ['@public', false] as const, ['@tpc', true] as const),
        weight: 4,
      },
      { arbitrary: fc.tuple(fc.constantFrom('@web', '@public', '@tpc'), fc.boolean()), weight: 1 },
    )
    .map(([client, secret]) => [
      ['grant_type', 'authorization_code'],
      ['client_id', client],
      ...(secret ? [['client_secret', '@secret'] as [string, string]] : []),
      ['code', '@code'],
      ['redirect_uri', REDIRECT],
      ['code_verifier', '@verifier'],
    ]),
  refresh_token: fc
    .tuple(scope, fc.boolean())
    .map(([s, narrow]) => [
      ['grant_type', 'refresh_token'],
      ['client_id', '@web'],
      ['client_secret', '@secret'],
      ['refresh_token', '@refresh'],
      ...(narrow ? [['scope', s] as [string, string]] : []),
    ]),
  spent_refresh_token: fc.constant([
    ['grant_type', 'refresh_token'],
    ['client_id', '@web'],
    ['client_secret', '@secret'],
    ['refresh_token', '@spent'],
  ]),
  client_credentials: fc.tuple(fc.constantFrom('@machine', '@tpc', '@web'), scope).map(([client, s]) => [
    ['grant_type', 'client_credentials'],
    ['client_id', client],
    ['client_secret', '@secret'],
    ['audience', API],
    ['scope', s],
  ]),
};

const tokenParams = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.oneof(...Object.values(grants)), mutations)
      .map(([params, mutations]) => mutate(params, mutations)),
  },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('grant_type', 'client_id', 'client_secret', 'code', 'refresh_token', 'scope', 'audience'),
          fc.constantFrom(...NASTY_KEYS),
        ),
        maybe(fc.constantFrom('@code', '@refresh', '@secret', '@web', 'authorization_code', 'refresh_token')),
      ),
      { maxLength: 8 },
    ),
  },
);

export const tokenRequest: fc.Arbitrary<TokenRequest> = fc.record({
  encoding: fc.constantFrom('form', 'form', 'json', 'json', 'raw'),
  params: tokenParams,
  rawJson: fc.dictionary(
    fc.constantFrom('grant_type', 'client_id', 'code', 'scope', '__proto__', 'constructor'),
    fc.oneof(jsonText, fc.constantFrom('null', '1', 'true', '["a","b"]', '{"__proto__":{"polluted":"yes"}}')),
    { maxKeys: 2 },
  ),
  raw: anyBody,
  contentType: fc.constantFrom(
    '@matching',
    '@matching',
    '@matching',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/json',
    'text/plain',
    null,
  ),
  authorization: sometimes(
    fc.oneof(
      fc.constant('@basic'),
      fc.constantFrom('Basic ', 'Basic !!!', 'Basic Og==', 'Bearer x', 'basic d2ViOg=='),
      headerValue,
    ),
  ),
  fail: sometimes(answeringSpecFor('token').filter((s) => /^[\t\x20-\x7e]*$/.test(s))),
});
