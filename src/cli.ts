import yargs from 'yargs';
import { type Config, readConfigFile, resolveConfig } from './config.js';
import { StartupError } from './errors.js';
import { MODE_NAMES } from './failures/catalogue.js';
import { DEFAULT_CONFIG_FILE, OPTIONS, flagName, helpDefault } from './options.js';
import { type Sink, safeWriter } from './safe-write.js';
import { startServer } from './server.js';
import { VERSION } from './version.js';

/** Where the CLI writes, and what stops the server it starts. */
export interface CliIo {
  readonly stdout: Sink & { readonly columns?: number };
  readonly stderr: Sink;
  /** Resolves when the server should stop; by default on the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown>;
}

/**
 * Parses flags and DCR_MOCK_* variables; no yargs defaults, so a config file can sit under them. Returns the
 * arguments and what yargs printed for --help or --version.
 */
function parseArgs(argv: readonly string[], columns: number | undefined) {
  const parser = yargs()
    .scriptName('dcr-mock')
    .usage("$0 [options]\n\nA local emulator of Auth0's Dynamic Client Registration endpoint (POST /oidc/register).")
    .env('DCR_MOCK');
  for (const option of OPTIONS) {
    if (!option.flag) continue;
    const { help, helpDefault: _, ...spec } = option.flag;
    parser.option(flagName(option.name), { ...spec, describe: help, defaultDescription: helpDefault(option) });
  }
  let output = '';
  const args = parser
    .example('$0', 'serve http://127.0.0.1:4000 with ./db.json')
    .example('$0 --port 0 --db :memory: --seed ci', 'a free port, nothing kept, seeded credentials')
    .example('$0 --fail rate_limited:times=2', 'the first two registrations get 429, then all succeed')
    .example("$0 --fail 'service_unavailable:rate=0.25'", 'a seeded 25% of registrations get 503')
    .example(
      '$0 --profile rfc7591 --initial-access-token @tokens.txt',
      'RFC 7591/7592, registration protected by the tokens in tokens.txt',
    )
    .example('$0 --max-clients 10 --rate-limit auth0', "a free Auth0 tenant's limits")
    .example('$0 --fixtures fixtures/clients.json', 'start with three known clients')
    .epilog(
      `Failure modes: ${MODE_NAMES.join(', ')}.\nRule keys: times, after, rate, client_name, redirect_uri, header (NAME:PATTERN), ms, status, retry_after.\n\nEvery option also reads from DCR_MOCK_<NAME>, e.g. DCR_MOCK_PORT=4100. Flags win over variables, variables over the config file.`,
    )
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs spreads some messages (bad choices) over lines; the reason is printed as one.
      const why = (err?.message ?? msg).replace(/\s*\n\s*/g, ' ');
      throw new StartupError(`Failed to read the options: ${why}. Run dcr-mock --help for the list.`, 2);
    })
    .parseSync([...argv], {}, (_err, _argv, printed) => {
      output = printed;
    });
  return { args, output };
}

/** The options a flag sets: every row with a flag but `--config`, which names the file under them. */
const FLAG_NAMES = OPTIONS.flatMap(({ name, flag }) => (flag && name !== 'config' ? [name] : []));

/**
 * What a command line asks for: the text of --help or --version, or a checked configuration to serve, from
 * the flags, the DCR_MOCK_* variables and the config file. Throws a StartupError when an option is wrong.
 */
export function readCommandLine(argv: readonly string[], columns?: number): { printed: string } | { config: Config } {
  const { args, output } = parseArgs(argv, columns);
  if (args['help'] || args['version']) return { printed: output };
  const configFile = args['config'] as string | undefined;
  const file = readConfigFile(configFile ?? DEFAULT_CONFIG_FILE, configFile !== undefined);
  const flags: Record<string, unknown> = {};
  for (const name of FLAG_NAMES) flags[name] = args[name];
  return { config: resolveConfig(file, flags) };
}

/** Runs dcr-mock with these arguments (without node and the script) until stopped; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  try {
    const line = readCommandLine(argv, io.stdout.columns);
    if ('printed' in line) {
      safeWriter(io.stdout)(`${line.printed}\n`);
      return 0;
    }
    return await serve(line.config, io);
  } catch (err) {
    return fatal(err, io);
  }
}

async function serve(config: Config, io: CliIo): Promise<0> {
  // Before the server listens: whoever reads the URL line or the URL file may send SIGTERM at once,
  // and must get a clean stop.
  const stopped = io.stop ?? stopOnSignal();
  const out = safeWriter(io.stdout);
  const err = safeWriter(io.stderr);
  const server = await startServer(config, { write: out, report: (line) => err(`${line}\n`) });
  out(`${server.url}\n`);
  out(`registration endpoint: ${server.registrationEndpoint}\n`);
  out(`db: ${server.store.path}\n`);
  if (config.fixtures.length > 0) {
    out(`fixtures: ${config.fixtures.length} clients, ${server.fixturesAdded} newly stored\n`);
  }
  if (!isLoopback(config.host)) {
    err(
      `[dcr-mock] Warning: listening on ${config.host}, reachable from other machines. Secrets are fake and stored in clear; bind to 127.0.0.1 unless you mean it.\n`,
    );
  }
  await stopped;
  await server.close();
  return 0;
}

function stopOnSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || /^(::ffff:)?127\./.test(h) || /^(0{0,4}:){1,7}:?0{0,3}1$/.test(h) || h === '::1';
}

function fatal(err: unknown, io: CliIo): number {
  const stderr = { write: safeWriter(io.stderr) };
  if (err instanceof StartupError) {
    stderr.write(`[dcr-mock] ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') {
    stderr.write(
      `[dcr-mock] Failed to listen: ${e.message}. Choose another --port or --host (--port 0 picks a free port).\n`,
    );
    return 1;
  }
  stderr.write(`[dcr-mock] Failed to start: ${e?.stack ?? String(err)}\n`);
  return 1;
}
