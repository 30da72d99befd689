import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StartupError, usageError } from './errors.js';
import type { Config } from './option-types.js';
import { OPTIONS } from './options.js';
import { show } from './show.js';

export { LOG_FORMATS, type LogFormat } from './log.js';
export type { Config, DcrMockOptions } from './option-types.js';
export { DEFAULT_CONFIG_FILE } from './options.js';
export { ID_SCHEMES, type IdScheme } from './registration/content-ids.js';
export { PROFILES, type Profile } from './registration/profiles.js';

/** Every default, read by the CLI and the programmatic API alike: the `value.default` of each row. */
export const DEFAULTS: Readonly<Config> = Object.freeze(
  Object.fromEntries(OPTIONS.flatMap((o) => (o.value ? [[o.name, o.value.default]] : []))),
) as unknown as Config;

/**
 * What `startDcrMock` puts over DEFAULTS, because it is for tests: a free port and a store in memory, so
 * that instances never share a port or a db.json, and no request log. Options and a config file win.
 */
export const API_DEFAULTS: Readonly<Pick<Config, 'port' | 'db' | 'quiet'>> = Object.freeze({
  port: 0,
  db: ':memory:',
  quiet: true,
});

/** How each Config field is checked and normalised, in the table's order. */
const CHECKS = OPTIONS.flatMap((o) => (o.value ? [[o.name, o.value.check] as const] : []));

/** The keys a config file and code may set: every row but the CLI's `config`; `fail` is folded into `failures`. */
const KNOWN = new Set<string>(OPTIONS.map((o) => o.name).filter((name) => name !== 'config'));

/**
 * The one merge point: later layers win over earlier ones, DEFAULTS under them all.
 * Unknown keys are refused so that a typo never passes silently.
 */
export function resolveConfig(...layers: ReadonlyArray<Record<string, unknown>>): Config {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (!KNOWN.has(key)) throw usageError(`unknown option ${show(key)}`);
      merged[key] = value;
    }
  }
  const config: Record<string, unknown> = {};
  for (const [key, check] of CHECKS) config[key] = check(merged[key], merged);
  return Object.freeze(config) as unknown as Config;
}

/**
 * Reads a config file: an object of options. `explicit` is false for the default
 * `dcr-mock.config.json`, which may be missing.
 */
export function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  const file = resolve(path);
  if (!explicit && !existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StartupError(
      `Failed to read the config file ${file}: ${(err as Error).message}. Check the --config path.`,
      2,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StartupError(`Failed to read the config file ${file}: ${(err as Error).message}. Fix the JSON.`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StartupError(`Failed to read the config file ${file}: it must hold a JSON object of options.`, 2);
  }
  const options = { ...(parsed as Record<string, unknown>) };
  delete options['$schema'];
  delete options['$comment'];
  const unknown = Object.keys(options).find((key) => !KNOWN.has(key));
  if (unknown !== undefined) {
    throw new StartupError(
      `Failed to read the config file ${file}: unknown option ${show(unknown)}. Fix its spelling or remove it; dcr-mock --help lists the options.`,
      2,
    );
  }
  // A file path in a config file is relative to that file, so a scenario folder can be copied as a whole.
  for (const key of ['fixtures', 'users', 'signingKey']) {
    const path = options[key];
    if (typeof path === 'string' && path !== '' && !isAbsolute(path)) options[key] = resolve(dirname(file), path);
  }
  return options;
}
