import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, configSchema, configSchemaText } from '../../src/config-schema.js';
import { DEFAULTS, readConfigFile, resolveConfig } from '../../src/config.js';
import { OPTIONS } from '../../src/options.js';

const ROOT = join(import.meta.dirname, '../..');
const shipped = readFileSync(join(ROOT, CONFIG_SCHEMA_FILE), 'utf8');
const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(shipped));
const valid = (options: unknown) => validate(options) === true;

describe(`${CONFIG_SCHEMA_FILE}, the config file's JSON Schema`, () => {
  it('is the one src/options.ts makes (npm run docs:options writes it)', () => {
    expect(shipped, `${CONFIG_SCHEMA_FILE} is out of date: run npm run docs:options`).toBe(configSchemaText());
  });

  it('lists every key a config file may hold, and only those', () => {
    const keys = OPTIONS.map((o) => o.name).filter((name) => name !== 'config');
    expect(Object.keys(configSchema()['properties'] as object)).toEqual(['$schema', '$comment', ...keys]);
  });

  it("takes every default, and each row's --help text as its description", () => {
    const properties = configSchema()['properties'] as Record<string, { description?: string }>;
    for (const option of OPTIONS) {
      if (option.flag && option.name !== 'config') {
        expect(properties[option.name]?.description, option.name).toBe(option.flag.help);
      }
    }
    const defaults = Object.fromEntries(Object.entries(DEFAULTS).filter(([, v]) => v !== undefined));
    expect(valid(defaults), JSON.stringify(validate.errors)).toBe(true);
  });

  it('takes the config files shipped in fixtures/, which name it in $schema', () => {
    const files = readdirSync(join(ROOT, 'fixtures')).filter((f) => f.endsWith('.config.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const options = JSON.parse(readFileSync(join(ROOT, 'fixtures', name), 'utf8'));
      expect(options['$schema'], name).toBe(`../${CONFIG_SCHEMA_FILE}`);
      expect(valid(options), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  // Each value is also what dcr-mock does with it: accepted ones resolve, refused ones throw.
  it.each([
    { options: { port: 0, seed: 'ci', profile: 'rfc7591', quiet: true, log: 'json' }, ok: true },
    { options: { port: '4100', maxClients: 10, rateLimit: 'auth0', latency: '100-500' }, ok: true },
    { options: { failures: ['rate_limited:times=2', { mode: 'server_error', rate: 0.25 }] }, ok: true },
    { options: { failures: [{ mode: 'delay', ms: 300, match: { client_name: '/^ci-/' } }] }, ok: true },
    {
      options: {
        fixtures: [{ client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost/cb'] }],
      },
      ok: true,
    },
    { options: { initialAccessToken: ['a', 'b'], corsOrigin: 'https://app.example.com', ids: 'content' }, ok: true },
    { options: { prot: 4000 }, ok: false },
    { options: { port: 70000 }, ok: false },
    { options: { profile: 'rfc7951' }, ok: false },
    { options: { quiet: 'maybe' }, ok: false },
    { options: { failures: [{ mode: 'rate_limted' }] }, ok: false },
    { options: { failures: [{ mode: 'rate_limited', tims: 2 }] }, ok: false },
    { options: { adminToken: 'a b' }, ok: false },
    { options: { issuer: 'ftp://a' }, ok: false },
  ])('$options: valid $ok, as dcr-mock reads it', ({ options, ok }) => {
    expect(valid(options)).toBe(ok);
    const resolve = () => resolveConfig(options);
    if (ok) expect(resolve).not.toThrow();
    else expect(resolve).toThrow();
  });

  it("takes docs/options.md's example, which dcr-mock reads as it is", () => {
    const docs = readFileSync(join(ROOT, 'docs/options.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## The config file\n'));
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!);
    expect(example['$schema']).toBe(`./node_modules/dcr-mock/${CONFIG_SCHEMA_FILE}`);
    expect(valid(example), JSON.stringify(validate.errors)).toBe(true);
    const { $schema: _, ...options } = example;
    expect(resolveConfig(options).failures).toHaveLength(2);
  });

  it('lets a config file name it in $schema', () => {
    const path = join(ROOT, 'fixtures', 'retry-storm.config.json');
    expect(readConfigFile(path, true)).not.toHaveProperty('$schema');
  });
});
