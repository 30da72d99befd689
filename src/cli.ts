#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULTS, DEFAULT_CONFIG_FILE, LOG_FORMATS, PROFILES, readConfigFile, resolveConfig } from './config.js';
import { ID_SCHEMES } from './config.js';
import { StartupError } from './errors.js';
import { MODE_NAMES } from './failures/catalogue.js';
import { startServer } from './server.js';
import { VERSION } from './version.js';

/** Parses flags and DCR_MOCK_* variables; no yargs defaults, so a config file can sit under them. */
function parseArgs(argv: string[]) {
  return yargs(argv)
    .scriptName('dcr-mock')
    .usage("$0 [options]\n\nA local emulator of Auth0's Dynamic Client Registration endpoint (POST /oidc/register).")
    .env('DCR_MOCK')
    .option('port', {
      alias: 'p',
      type: 'string',
      describe: 'port to listen on; 0 picks a free one',
      defaultDescription: String(DEFAULTS.port),
    })
    .option('host', {
      alias: 'H',
      type: 'string',
      describe: 'bind address; a non-loopback one prints a warning',
      defaultDescription: DEFAULTS.host,
    })
    .option('db', {
      type: 'string',
      describe: 'lowdb JSON file (created if missing), or :memory:',
      defaultDescription: DEFAULTS.db,
    })
    .option('seed', { type: 'string', describe: 'seed of every generated value', defaultDescription: DEFAULTS.seed })
    .option('profile', {
      type: 'string',
      choices: PROFILES,
      describe: 'server to emulate (rfc7591: plain RFC 7591 + RFC 7592 management)',
      defaultDescription: DEFAULTS.profile,
    })
    .option('config', {
      type: 'string',
      describe: `JSON file of options`,
      defaultDescription: `${DEFAULT_CONFIG_FILE} if present`,
    })
    .option('issuer', {
      type: 'string',
      describe: 'issuer and base of advertised endpoints',
      defaultDescription: 'http://HOST:PORT/',
    })
    .option('clock', {
      type: 'string',
      describe: 'fixed ISO 8601 time for every generated timestamp',
      defaultDescription: 'real time',
    })
    .option('fail', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'a failure rule MODE[:key=value,...] (repeatable), e.g. rate_limited:times=2',
    })
    .option('latency', { type: 'string', describe: 'delay every registration: MS or MIN-MAX', defaultDescription: '0' })
    .option('admin-token', {
      type: 'string',
      describe: 'require Authorization: Bearer TOKEN on /__dcr/* and json-server routes',
      defaultDescription: 'none',
    })
    .option('cors-origin', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'an origin whose pages may use /__dcr/* and json-server routes (repeatable); loopback ones always may',
      defaultDescription: 'loopback only',
    })
    .option('fixtures', {
      type: 'string',
      requiresArg: true,
      describe: 'JSON file of clients to preload (idempotent by client_id; reset restores them)',
      defaultDescription: 'none',
    })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no request log' })
    .option('log', {
      type: 'string',
      choices: LOG_FORMATS,
      describe: 'request log format',
      defaultDescription: DEFAULTS.log,
    })
    .option('ids', {
      type: 'string',
      describe: `${ID_SCHEMES.join(' or ')}; content: credentials derived from the request metadata, the same in any order`,
      defaultDescription: DEFAULTS.ids,
    })
    .option('oidc-rules', {
      type: 'boolean',
      describe:
        'OpenID Connect Registration rules: application_type web/native and its redirect URIs (--no-oidc-rules: off)',
      defaultDescription: 'on in rfc7591',
    })
    .option('initial-access-token', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'registration requires Authorization: Bearer TOKEN; repeatable; @FILE reads one token a line',
      defaultDescription: 'none',
    })
    .option('max-clients', {
      type: 'string',
      describe: "the registration after N stored clients gets Auth0's 403 too_many_entities",
      defaultDescription: 'none',
    })
    .option('rate-limit', {
      type: 'string',
      describe: 'token bucket on registration: R[/BURST] per second, or auth0 (5/s, burst 5)',
      defaultDescription: 'none',
    })
    .option('software-statement-key', {
      type: 'string',
      describe: 'verify software_statement signatures with this JWK, JWK set or PEM public key file',
      defaultDescription: 'decode only',
    })
    .option('rotate-registration-token', {
      type: 'boolean',
      describe: 'RFC 7592: a new registration access token on each use',
    })
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
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs spreads some messages (bad choices) over lines; the reason is printed as one.
      const why = (err?.message ?? msg).replace(/\s*\n\s*/g, ' ');
      throw new StartupError(`Failed to read the options: ${why}. Run dcr-mock --help for the list.`, 2);
    })
    .parseSync();
}

/** The options a flag can set: every key of DEFAULTS, with `--fail` standing for `failures`. */
const FLAG_NAMES = [...Object.keys(DEFAULTS).filter((name) => name !== 'failures'), 'fail'];

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    return fatal(err);
  }
  if (args['help'] || args['version']) return 0;
  try {
    const file = readConfigFile(args.config ?? DEFAULT_CONFIG_FILE, args.config !== undefined);
    const flags: Record<string, unknown> = {};
    for (const name of FLAG_NAMES) flags[name] = args[name];
    const config = resolveConfig(file, flags);
    const server = await startServer(config);
    // Before the URL line: whoever reads it may send SIGTERM at once, and must get a clean stop.
    const stopped = stopOnSignal();
    const out = process.stdout;
    out.write(`${server.url}\n`);
    out.write(`registration endpoint: ${server.registrationEndpoint}\n`);
    out.write(`db: ${server.store.path}\n`);
    if (config.fixtures.length > 0) {
      out.write(`fixtures: ${config.fixtures.length} clients, ${server.fixturesAdded} newly stored\n`);
    }
    if (!isLoopback(config.host)) {
      process.stderr.write(
        `[dcr-mock] Warning: listening on ${config.host}, reachable from other machines. Secrets are fake and stored in clear; bind to 127.0.0.1 unless you mean it.\n`,
      );
    }
    await stopped;
    await server.close();
    return 0;
  } catch (err) {
    return fatal(err);
  }
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

function fatal(err: unknown): number {
  if (err instanceof StartupError) {
    process.stderr.write(`[dcr-mock] ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') {
    process.stderr.write(
      `[dcr-mock] Failed to listen: ${e.message}. Choose another --port or --host (--port 0 picks a free port).\n`,
    );
    return 1;
  }
  process.stderr.write(`[dcr-mock] Failed to start: ${e?.stack ?? String(err)}\n`);
  return 1;
}

process.exitCode = await main(hideBin(process.argv));
