import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { type Config, fromSource, readConfigFile, resolveConfig } from './config.js';
import { usageError } from './errors.js';
import { CATALOGUE, DEFAULT_ENDPOINT, MODE_NAMES } from './failures/catalogue.js';
import type { LogFormat } from './log.js';
import { DEFAULT_CONFIG_FILE, OPTIONS, envName, flagName, helpDefault } from './options.js';
import { show } from './show.js';
import { didYouMean } from './suggest.js';
import { VERSION } from './version.js';

/** What a command line asks for: the text of --help or --version, or a checked configuration to serve. */
export type CommandLine =
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
export function readCommandLine(
  argv: readonly string[],
  columns?: number,
  env: NodeJS.ProcessEnv = process.env,
): CommandLine {
  const { args, printed } = parseFlags(argv, columns);
  if (args['help'] || args['version']) return { printed };
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

/** yargs reads the flags and writes --help; dcr-mock itself refuses what is wrong, in its own words. */
function parseFlags(argv: readonly string[], columns: number | undefined) {
  const parser = yargs()
    .scriptName('dcr-mock')
    .usage(
      "$0 [options] [DB.json]\n\nA local emulator of Auth0's Dynamic Client Registration endpoint (POST /oidc/register).",
    )
    // Unknown flags come back as arguments, spelt as typed, for a "did you mean"; numbers stay as typed.
    .parserConfiguration({ 'unknown-options-as-args': true, 'parse-positional-numbers': false })
    .updateStrings({ 'Not enough arguments following: %s': '--%s needs a value' });
  for (const option of FLAGGED) {
    const { help, helpDefault: _, choices, ...spec } = option.flag!;
    // Choices are shown but checked by the option's own check, which also reads variables and files.
    const describe = choices ? `${help} [choices: ${choices.map((c) => `"${c}"`).join(', ')}]` : help;
    parser.option(flagName(option.name), { ...spec, describe, defaultDescription: helpDefault(option) });
  }
  let printed = '';
  const args = parser
    .example('$0', 'serve http://127.0.0.1:4000 with ./db.json')
    .example('$0 clients.json', 'the same with ./clients.json as the db, as json-server takes it')
    .example('$0 --port 0 --db :memory: --seed ci', 'a free port, nothing kept, seeded credentials')
    .example('$0 --fail rate_limited:times=2', 'the first two registrations get 429, then all succeed')
    .example("$0 --fail 'service_unavailable:rate=0.25'", 'a seeded 25% of registrations get 503')
    .example(
      '$0 --profile rfc7591 --initial-access-token @tokens.txt',
      'RFC 7591/7592, registration protected by the tokens in tokens.txt',
    )
    .example('$0 --max-clients 10 --rate-limit auth0', "a free Auth0 tenant's limits")
    .example('$0 --fixtures fixtures/clients.json', 'start with three known clients')
    .example('$0 --port 0 --url-file dcr-mock.url &', 'in the background; the URL is in dcr-mock.url once it listens')
    .example('$0 --login consent', '/authorize shows an Accept/Decline page instead of redirecting at once')
    .example("$0 --api 'https://api.example.com/:read:items'", 'declare an API: tokens for it, its scopes only')
    .example('$0 --fail token:invalid_grant:times=1', 'the next token request gets 403 invalid_grant')
    .epilog(
      `Failure modes: ${MODE_NAMES.join(', ')}.\nOther endpoints (ENDPOINT:MODE): ${CATALOGUE.endpointNames.filter((e) => e !== DEFAULT_ENDPOINT).join(', ')}; their modes: docs/authorization.md.\nRule keys: times, after, rate, client_name, redirect_uri, header (NAME:PATTERN), ms, status, retry_after.\n\nEvery option also reads from DCR_MOCK_<NAME>, e.g. DCR_MOCK_PORT=4100. Flags win over variables, variables over the config file.`,
    )
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs spreads some messages over lines; the reason is printed as one.
      throw usageError((err?.message ?? msg).replace(/\s*\n\s*/g, ' '));
    })
    .parseSync([...argv], {}, (_err, _argv, output) => {
      printed = output;
    });
  return { args, printed };
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
