import fc from 'fast-check';
import { MODES, MODE_NAMES } from '../../src/failures/catalogue.js';
import { FIELD_RULES } from '../../src/registration/metadata.js';

/** Keys that have broken JavaScript servers before. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const METADATA_KEYS = ['redirect_uris', ...FIELD_RULES.map((r) => r.field)];

const word = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });
const key = fc.oneof(
  fc.constantFrom(...NASTY_KEYS),
  fc.constantFrom(...METADATA_KEYS),
  word,
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** Strings that reach the size limit without costing much to generate. */
const huge = fc
  .tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 1_000, max: 70_000 }))
  .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n));

/** JSON text for nesting deeper than any recursive serializer survives (within 64 KiB). */
export const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 32_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"__proto__":', '}]']))
  .map(([depth, [open, close]]) => {
    const n = Math.min(depth, Math.floor(65_000 / (open.length + close.length)));
    return `${open.repeat(n)}null${close.repeat(n)}`;
  });

const scalar = fc.oneof(
  fc.constant('null'),
  fc.boolean().map(String),
  fc.double().map((d) => JSON.stringify(d)),
  fc.integer().map(String),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => JSON.stringify(s)),
);

/** Any JSON text, written by hand so that keys such as "__proto__" (and duplicates) reach the wire as they are. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(key, tie('value')), { maxLength: 5 })
      .map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

const uri = fc.oneof(
  fc.webUrl({ withFragments: true, withQueryParameters: true }),
  fc.constantFrom(
    'https://app.example.com/cb',
    'http://localhost:3000/callback',
    'com.example.app:/oauth',
    'javascript:alert(1)',
    'data:text/html,x',
    'http://a#b',
    'https://*.example.com/cb',
    'foo:',
    'http://a b',
    '/relative',
    'file:///etc/passwd',
    'HTTPS://EXAMPLE.COM',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const fieldValue = fc.oneof(
  jsonText,
  fc.array(uri, { maxLength: 4 }).map((a) => JSON.stringify(a)),
  uri.map((u) => JSON.stringify(u)),
  huge.map((s) => JSON.stringify(s)),
  fc.constantFrom(
    '"client_secret_post"',
    '"none"',
    '"client_secret_basic"',
    '"private_key_jwt"',
    '["authorization_code","refresh_token","implicit"]',
    '"web"',
    '"native"',
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
  ),
);

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  huge,
);
/** A value of the right type for a known field (valid or not by its content). */
const wellTyped = fc.oneof(
  ...FIELD_RULES.map((rule) => {
    const value =
      rule.kind === 'string'
        ? text
        : rule.kind === 'uri'
          ? uri
          : rule.kind === 'enum'
            ? fc.oneof(fc.constantFrom(...(rule.values ?? [])), text)
            : fc.array(text, { maxLength: 4 });
    return value.map((v) => `${JSON.stringify(rule.field)}:${JSON.stringify(v)}`);
  }),
  fc.array(uri, { minLength: 1, maxLength: 3 }).map((a) => `"redirect_uris":${JSON.stringify(a)}`),
);
const anyEntry = fc
  .tuple(fc.oneof(fc.constantFrom(...METADATA_KEYS), key), fieldValue)
  .map(([k, v]) => `${JSON.stringify(k)}:${v}`);

/** A client-metadata-like object, often with a valid redirect_uris so that later checks are reached. */
export const metadataText = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof({ arbitrary: wellTyped, weight: 4 }, { arbitrary: anyEntry, weight: 1 }), { maxLength: 8 }),
  )
  .map(([valid, entries]) => {
    const parts = [...entries];
    if (valid) parts.unshift('"redirect_uris":["https://app.example.com/cb"]');
    return `{${parts.join(',')}}`;
  });

/** A request body: text or bytes. */
export const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: metadataText, weight: 5 },
  { arbitrary: jsonText, weight: 2 },
  { arbitrary: deepJson, weight: 1 },
  { arbitrary: fc.tuple(metadataText, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 2048 }), weight: 1 },
  {
    arbitrary: huge.map((s) => `{"redirect_uris":["https://a.example/cb"],"client_name":${JSON.stringify(s)}}`),
    weight: 1,
  },
);

export const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/jwt',
  '',
);

// Characters a client may put in a header value (RFC 9110 field-vchar, SP, HTAB, obs-text).
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  fc.constant('\t'),
);
export const headerValue = fc.string({ unit: headerChar, maxLength: 200 });

/** Modes that answer at once with HTTP (network and delay modes hold sockets: not for a fuzz loop). */
export const ANSWERING_MODES = MODE_NAMES.filter((m) => MODES[m].kind === 'http' || MODES[m].kind === 'bad-success');
export const HOLDING_MODES: readonly string[] = MODE_NAMES.filter((m) => !ANSWERING_MODES.includes(m));

export const regexBody = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('a', 'b', '.', '\\w', '\\d', '[ab]', '[^/]', '^', '$', '\\b', 'ci-', '\\/'),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '{,2}')).map(([a, q]) => a + q),
    fc.array(tie('re'), { minLength: 1, maxLength: 4 }).map((a) => a.join('')),
    fc
      .tuple(fc.constantFrom('(', '(?:', '(?=', '(?!', '(?<n>'), fc.array(tie('re'), { minLength: 1, maxLength: 3 }))
      .map(([o, a]) => `${o}${a.join('|')})`),
  ),
})).re;

/** Regular-expression match values: generated, known-bad, invalid. */
export const pattern = fc.oneof(
  regexBody.map((r) => `/${r}/`),
  fc.tuple(regexBody, fc.constantFrom('', 'i', 'u', 'm', 's', 'g', 'y', 'iu', 'x')).map(([r, f]) => `/${r}/${f}`),
  fc.constantFrom(
    '/(a+)+$/',
    '/(a|a)*/',
    '/(\\w+\\s?)*$/',
    '/(.*a){12}/',
    '/(a)\\1/',
    '/(?<=a)b/',
    '/(/',
    '//',
    '/[/',
    '/a{2,1}/',
    'ci-',
    '/^ci-/',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
);

const specValue = fc.oneof(
  fc.integer({ min: -5, max: 700 }).map(String),
  fc.double().map(String),
  fc.constantFrom(
    '',
    '0',
    '1',
    '0.5',
    '1e3',
    '0x10',
    'NaN',
    'Infinity',
    '-1',
    '100-50',
    '5-10',
    '0-0',
    '599',
    '200',
    '86401',
    ' 2 ',
    '1\r\nx-injected: 1',
  ),
  pattern,
  fc
    .tuple(fc.constantFrom('x-case', 'X-Case', 'x case', '', 'authorization', '__proto__'), pattern)
    .map(([n, p]) => `${n}:${p}`),
  fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
);
const specKey = fc.oneof(
  fc.constantFrom(
    'times',
    'after',
    'rate',
    'ms',
    'status',
    'retry_after',
    'client_name',
    'redirect_uri',
    'header',
    'mode',
    'match',
    '__proto__',
    'constructor',
  ),
  word,
);

const validPair = fc.oneof(
  fc.integer({ min: 1, max: 5 }).map((n) => `times=${n}`),
  fc.integer({ min: 0, max: 3 }).map((n) => `after=${n}`),
  fc.double({ min: 0, max: 1, noNaN: true }).map((r) => `rate=${r}`),
  fc.integer({ min: 400, max: 599 }).map((n) => `status=${n}`),
  fc.integer({ min: 0, max: 86_400 }).map((n) => `retry_after=${n}`),
  pattern.map((p) => `client_name=${p}`),
  pattern.map((p) => `redirect_uri=${p}`),
  pattern.map((p) => `header=x-case:${p}`),
);
const anyPair = fc.tuple(specKey, specValue).map(([k, v]) => `${k}=${v}`);

/** One rule in the CLI/header form, built from the grammar so most are valid or near misses. */
export const specOf = (modes: fc.Arbitrary<string>) =>
  fc
    .tuple(
      modes,
      fc.array(fc.oneof({ arbitrary: validPair, weight: 4 }, { arbitrary: anyPair, weight: 1 }), { maxLength: 3 }),
    )
    .map(([m, pairs]) => (pairs.length > 0 ? `${m}:${pairs.join(',')}` : m));

const anyMode = fc.oneof(
  { arbitrary: fc.constantFrom(...MODE_NAMES), weight: 6 },
  fc.constantFrom(...NASTY_KEYS),
  word,
);

/** Specs as `--fail` takes them: one or several rules joined by `;`, or anything at all. */
export const failSpec = fc.oneof(
  { arbitrary: fc.array(specOf(anyMode), { minLength: 1, maxLength: 3 }).map((s) => s.join(';')), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
);

/** Specs for a request's header or query: only modes that answer at once, or junk. */
export const answeringSpec = fc.oneof(
  {
    arbitrary: fc
      .array(specOf(fc.oneof({ arbitrary: fc.constantFrom(...ANSWERING_MODES), weight: 6 }, word)), {
        minLength: 1,
        maxLength: 3,
      })
      .map((s) => s.join(';')),
    weight: 4,
  },
  { arbitrary: headerValue, weight: 1 },
);

const validRule = fc.record(
  {
    mode: fc.constantFrom(...MODE_NAMES),
    times: fc.integer({ min: 1, max: 5 }),
    after: fc.integer({ min: 0, max: 3 }),
    rate: fc.double({ min: 0, max: 1, noNaN: true }),
    match: fc.record(
      { client_name: pattern, redirect_uri: pattern, header: pattern.map((p) => `x-case:${p}`) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['mode'] },
);

/** A rule as JSON (control plane, config file `failures`). */
export const ruleJson = fc.oneof(
  { arbitrary: validRule.map((r) => JSON.stringify(r)), weight: 4 },
  { arbitrary: fc.array(validRule, { maxLength: 3 }).map((r) => JSON.stringify(r)), weight: 1 },
  fc
    .record(
      {
        mode: fc.oneof(
          fc.constantFrom(...MODE_NAMES),
          jsonText.map((t) => JSON.parse(t) as unknown),
        ),
        times: fc.oneof(
          fc.integer({ min: -2, max: 5 }),
          jsonText.map((t) => JSON.parse(t) as unknown),
        ),
        after: fc.integer({ min: -1, max: 3 }),
        rate: fc.oneof(fc.double(), fc.constantFrom(0, 1, 0.5)),
        ms: fc.oneof(fc.integer({ min: -1, max: 400_000 }), specValue),
        status: fc.oneof(fc.integer({ min: 100, max: 700 }), fc.string()),
        retry_after: fc.oneof(fc.integer({ min: -1, max: 100_000 }), fc.constant('1\r\nx-injected: 1')),
        match: fc.oneof(
          fc.record({ client_name: pattern, redirect_uri: pattern, header: specValue }, { requiredKeys: [] }),
          jsonText.map((t) => JSON.parse(t) as unknown),
        ),
      },
      { requiredKeys: [] },
    )
    .map((r) => JSON.stringify(r)),
  jsonText,
  failSpec.map((s) => JSON.stringify(s)),
  fc.array(failSpec, { maxLength: 3 }).map((a) => JSON.stringify(a)),
  deepJson.map((d) => `{"mode":"rate_limited","times":${d}}`),
);
