import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StartupError, UsageError, usageError } from './errors.js';
import type { Config } from './option-types.js';
import { OPTIONS, type OptionName, envName, flagName } from './options.js';
import { show } from './show.js';
import { didYouMean } from './suggest.js';

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

/** Where a layer of options was read, for the message that refuses one of its values. A layer of code has none. */
export type OptionSource =
  | { readonly kind: 'flags' }
  | { readonly kind: 'env' }
  | { readonly kind: 'file'; readonly path: string };

const SOURCES = new WeakMap<object, OptionSource>();

/** `layer`, marked as read from `source`. */
export function fromSource<T extends Record<string, unknown>>(layer: T, source: OptionSource): T {
  SOURCES.set(layer, source);
  return layer;
}

/**
 * The one merge point: later layers win over earlier ones, DEFAULTS under them all.
 * Unknown keys are refused so that a typo never passes silently. A refused value is said to come from
 * where its layer was read: `DCR_MOCK_PORT`, `"port"` in a config file, `--port`.
 */
export function resolveConfig(...layers: ReadonlyArray<Record<string, unknown>>): Config {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  const origins = new Map<string, OptionSource>();
  for (const layer of layers) {
    const source = SOURCES.get(layer);
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (!KNOWN.has(key)) throw usageError(`unknown option ${show(key)}${didYouMean(key, [...KNOWN])}`);
      merged[key] = value;
      if (source) origins.set(key, source);
      else origins.delete(key);
    }
  }
  const config: Record<string, unknown> = {};
  for (const [key, check] of CHECKS) {
    try {
      config[key] = check(merged[key], merged);
    } catch (err) {
      throw err instanceof UsageError ? whereSet(err, key, origins) : err;
    }
  }
  return Object.freeze(config) as unknown as Config;
}

/**
 * A refusal reworded for where the value was set: checks name the flag (`--port must be …`), which is
 * right for a flag and for code, but a value from a variable or a config file is named as it was written.
 */
function whereSet(err: UsageError, key: string, origins: ReadonlyMap<string, OptionSource>): StartupError {
  let why = err.why;
  // The option the message names (`--fail` in a check of `failures`), else the one checked.
  let named: string | undefined;
  for (const [name, origin] of origins) {
    const flag = new RegExp(`--${flagName(name as OptionName)}(?![\\w-])`, 'g');
    if (!flag.test(why)) continue;
    named ??= name;
    if (origin.kind !== 'flags')
      why = why.replace(flag, origin.kind === 'env' ? envName(name as OptionName) : show(name));
  }
  const subject = named ?? key;
  const source = origins.get(subject);
  if (source?.kind === 'env') {
    const variable = envName(subject as OptionName);
    return new StartupError(`Failed to read the options: ${why}. Fix or unset ${variable}.`, 2, { cause: err });
  }
  if (source?.kind === 'file') {
    return new StartupError(
      `Failed to read the config file ${source.path}: ${why}. Fix it there; dcr-mock --help lists the options.`,
      2,
      { cause: err },
    );
  }
  return err;
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
  const options = fromSource({ ...(parsed as Record<string, unknown>) }, { kind: 'file', path: file });
  delete options['$schema'];
  delete options['$comment'];
  const unknown = Object.keys(options).find((key) => !KNOWN.has(key));
  if (unknown !== undefined) {
    throw new StartupError(
      `Failed to read the config file ${file}: unknown option ${show(unknown)}${didYouMean(unknown, [...KNOWN])}. Fix its spelling or remove it; dcr-mock --help lists the options.`,
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
