import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Config, readConfigFile, resolveConfig } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';
import { isMode } from '../../src/failures/catalogue.js';
import { tempDir } from '../support/server.js';
import { NASTY_KEYS, deepJson, failSpec, jsonText, ruleJson } from './arbitraries.js';
import { check, prototypeState, runs, timeoutFor } from './harness.js';

const RUNS = runs(100);
const prototypes = prototypeState();

/** A resolved config, or a StartupError meant for a person at a terminal (exit 2); nothing else. */
function outcome(resolve: () => Config): Config | StartupError {
  try {
    const config = resolve();
    for (const rule of config.failures) expect(isMode(rule.mode)).toBe(true);
    return config;
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(StartupError);
    const e = err as StartupError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^Failed to read the (options|config file)/);
    return e;
  } finally {
    expect(prototypeState()).toBe(prototypes);
  }
}

const OPTION_KEYS = [
  'port',
  'host',
  'db',
  'seed',
  'profile',
  'issuer',
  'clock',
  'quiet',
  'log',
  'failures',
  'fail',
  'latency',
  'adminToken',
  '$schema',
];
const optionValue = fc.oneof(
  jsonText,
  deepJson,
  fc.constantFrom(
    '0',
    '"0"',
    '65536',
    '"127.0.0.1"',
    '":memory:"',
    '"auth0"',
    '"rfc7591"',
    '"http://x/"',
    '"2026-01-01T00:00:00Z"',
    'true',
    '"json"',
    '"100-50"',
    '"tok en"',
    '[]',
  ),
  ruleJson.map((r) => `[${r}]`),
  failSpec.map((s) => JSON.stringify(s)),
);
const configText = fc.oneof(
  {
    arbitrary: fc
      .array(
        fc.tuple(fc.oneof(fc.constantFrom(...OPTION_KEYS), fc.constantFrom(...NASTY_KEYS), fc.string()), optionValue),
        { maxLength: 6 },
      )
      .map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    weight: 6,
  },
  { arbitrary: jsonText, weight: 2 },
  { arbitrary: deepJson, weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 1 },
);

describe('fuzzing the configuration', () => {
  it('--fail specs: a config or exit 2 with a reason; nothing else', { timeout: timeoutFor(RUNS, 5) }, async () => {
    await check(
      'config: --fail specs',
      fc.property(fc.oneof(failSpec, fc.array(failSpec, { maxLength: 4 })), (fail) => {
        outcome(() => resolveConfig({ quiet: true }, { fail }));
      }),
      RUNS,
    );
  });

  it('config files: a config or exit 2 with a reason; nothing else', { timeout: timeoutFor(RUNS, 5) }, async () => {
    const file = join(tempDir(), 'dcr-mock.config.json');
    await check(
      'config: files',
      fc.property(
        fc.oneof(
          configText.map((t) => Buffer.from(t)),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
        (bytes) => {
          writeFileSync(file, bytes);
          outcome(() => resolveConfig(readConfigFile(file, true), { quiet: true }));
        },
      ),
      RUNS,
    );
  });
});
