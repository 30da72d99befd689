import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'node:util';
import parser from 'yargs-parser';
import { type Config, fromSource, readConfigFile, resolveConfig } from './config.js';
import { usageError } from './errors.js';
import type { LogFormat } from './log.js';
import { DEFAULT_CONFIG_FILE, OPTIONS, envName, flagName } from './options.js';
import { show } from './show.js';
import { didYouMean } from './suggest.js';
import { VERSION } from './version.js';

/**
 * What a command line asks for: --help (its text is `helpText()`'s, in help.ts), the text of
 * --version, or a checked configuration to serve.
 */
export type CommandLine =
  | { readonly help: true }
  | { readonly printed: string }
  | {
      readonly config: Config;
      /** The config file read, absolute: the one --config named, or dcr-mock.config.json found in the working directory. */
      readonly configFile: string | undefined;
      /** Where the fixtures were read: their file, absolute, or the config file that holds them. */
      readonly fixturesFrom: string | undefined;
    };

const FLAGGED = OPTIONS.filter((o) => o.flag !== undefined);
/** What a user may type: every flag, its short alias, the --no- of a switch, and yargs' own two. */
const TYPED = [
  ...FLAGGED.map((o) => `--${flagName(o.name)}`),
  ...FLAGGED.flatMap((o) => (o.flag?.alias ? [`-${o.flag.alias}`] : [])),
  ...FLAGGED.flatMap((o) => (o.flag?.type === 'boolean' ? [`--no-${flagName(o.name)}`] : [])),
  '--help',
  '-h',
  '--version',
];
const VARIABLES = new Map(FLAGGED.map((o) => [envName(o.name), o]));

/**
 * Parses the flags, reads the DCR_MOCK_* variables and the config file, and merges them: flags over
 * variables over the file. Throws a StartupError, saying where the bad part came from, when an option is wrong.
 */
export function readCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  const args = parseFlags(argv);
  if (args['help']) return { help: true };
  if (args['version']) return { printed: VERSION };
  const flags = fromSource(flagValues(args), { kind: 'flags' });
  const variables = fromSource(variableValues(env), { kind: 'env' });
  const named = (flags['config'] ?? variables['config']) as string | undefined;
  delete flags['config'];
  delete variables['config'];
  const configFile = resolve(named ?? DEFAULT_CONFIG_FILE);
  const explicit = named !== undefined;
  const file = readConfigFile(configFile, explicit);
  const fixtures = [flags, variables, file].map((layer) => layer['fixtures']).find((v) => v !== undefined);
  return {
    config: resolveConfig(file, variables, flags),
    configFile: explicit || existsSync(configFile) ? configFile : undefined,
    fixturesFrom: typeof fixtures === 'string' ? resolve(fixtures) : fixtures === undefined ? undefined : configFile,
  };
}

/**
 * The log format a command line asks for, read before anything is checked, so that a refusal of the
 * command line itself is printed as the rest would be: `--log json` or DCR_MOCK_LOG=json.
 */
export function wantedLogFormat(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LogFormat {
  let format = env['DCR_MOCK_LOG'];
  argv.forEach((arg, i) => {
    if (arg === '--log') format = argv[i + 1];
    else if (arg.startsWith('--log=')) format = arg.slice('--log='.length);
  });
  return format === 'json' ? 'json' : 'text';
}

/** The parser's error for a flag given no value, in dcr-mock's words. */
const NO_VALUE = 'Not enough arguments following: %s';

/** How yargs-parser reads each flag: its type, alias, whether it repeats and whether it needs a value. */
const PARSER_OPTIONS = {
  string: FLAGGED.filter((o) => o.flag?.type === 'string').map((o) => flagName(o.name)),
  boolean: [...FLAGGED.filter((o) => o.flag?.type === 'boolean').map((o) => flagName(o.name)), 'help', 'version'],
  array: FLAGGED.filter((o) => o.flag?.array).map((o) => flagName(o.name)),
  alias: {
    help: ['h'],
    ...Object.fromEntries(FLAGGED.flatMap((o) => (o.flag?.alias ? [[flagName(o.name), [o.flag.alias]]] : []))),
  },
  // NaN: at least one value, as yargs' requiresArg.
  narg: Object.fromEntries(FLAGGED.filter((o) => o.flag?.requiresArg).map((o) => [flagName(o.name), Number.NaN])),
  // Unknown flags come back as arguments, spelt as typed, for a "did you mean"; numbers stay as typed.
  configuration: { 'unknown-options-as-args': true, 'parse-positional-numbers': false },
  __: (message: string, ...args: unknown[]) => format(message === NO_VALUE ? '--%s needs a value' : message, ...args),
};

/**
 * yargs-parser reads the flags: the parser of yargs, without yargs' layout of --help (help.ts), which
 * loads only for --help. dcr-mock itself refuses what is wrong, in its own words.
 */
function parseFlags(argv: readonly string[]): parser.Arguments {
  const { argv: args, error } = parser.detailed([...argv], PARSER_OPTIONS);
  // --help and --version win over a flag given wrong, as in yargs.
  if (error && !args['help'] && !args['version']) throw usageError(error.message.replace(/\s*\n\s*/g, ' '));
  return args;
}

/** The options given as flags, and a lone file argument as --db; refuses unknown flags and stray arguments. */
function flagValues(args: Record<string, unknown>): Record<string, unknown> {
  const rest = (args['_'] as unknown[]).map(String);
  const unknown = rest.find((arg) => arg.startsWith('-') && arg !== '-');
  if (unknown !== undefined) {
    const typed = unknown.replace(/=.*$/s, '');
    throw usageError(`unknown option ${typed}${didYouMean(typed, TYPED)}`);
  }
  const values: Record<string, unknown> = {};
  for (const option of FLAGGED) {
    const value = args[option.name];
    if (Array.isArray(value) && !option.flag?.array) {
      throw usageError(`--${flagName(option.name)} is given ${value.length} times; give it once`);
    }
    values[option.name] = value;
  }
  const [file, ...more] = rest;
  if (file === undefined) return values;
  if (!/\.json$/i.test(file) && file !== ':memory:') {
    throw usageError(
      `unexpected argument ${show(file)}: the one argument dcr-mock takes is its db file, ending in .json (dcr-mock db.json)`,
    );
  }
  if (more.length > 0) throw usageError(`unexpected argument ${show(more[0])}: dcr-mock takes one db file`);
  if (values['db'] !== undefined) {
    throw usageError(`the db is given twice, as ${show(file)} and as --db ${show(values['db'])}; give one`);
  }
  values['db'] = file;
  return values;
}

/** The DCR_MOCK_* variables, by option; one that names no option is refused, as an unknown flag is. */
function variableValues(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('DCR_MOCK_') || value === undefined) continue;
    const option = VARIABLES.get(name);
    if (!option) throw usageError(`unknown variable ${name}${didYouMean(name, [...VARIABLES.keys()])}`);
    values[option.name] = value;
  }
  return values;
}
