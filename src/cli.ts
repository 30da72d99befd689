import { CliOutput } from './cli-output.js';
import { type CommandLine, readCommandLine, wantedLogFormat } from './command-line.js';
import type { Config } from './config.js';
import { StartupError } from './errors.js';
import { ruleSpec } from './failures/spec.js';
import { type Sink, safeWriter } from './safe-write.js';
import { startServer } from './server.js';

/** Where the CLI writes, and what stops the server it starts. */
export interface CliIo {
  readonly stdout: Sink & { readonly columns?: number };
  readonly stderr: Sink;
  /** Resolves when the server should stop; by default on the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown>;
}

/** Runs dcr-mock with these arguments (without node and the script) until stopped; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let output = new CliOutput(wantedLogFormat(argv), io);
  try {
    const line = readCommandLine(argv);
    if ('help' in line) {
      // yargs lays the help out; it loads only for this.
      const { helpText } = await import('./help.js');
      safeWriter(io.stdout)(`${helpText(io.stdout.columns)}\n`);
      return 0;
    }
    if ('printed' in line) {
      safeWriter(io.stdout)(`${line.printed}\n`);
      return 0;
    }
    output = new CliOutput(line.config.log, io);
    return await serve(line, output, io.stop);
  } catch (err) {
    return fatal(err, output);
  }
}

async function serve(
  { config, configFile, fixturesFrom }: Extract<CommandLine, { config: Config }>,
  output: CliOutput,
  stop: Promise<unknown> | undefined,
): Promise<0> {
  // Before the server listens: whoever reads the URL line or the URL file may send SIGTERM at once,
  // and must get a clean stop.
  const stopped = stop ?? stopOnSignal();
  const server = await startServer(config, { write: output.request, report: output.report });
  const { fixtures, latency } = config;
  output.start({
    url: server.url,
    registrationEndpoint: server.registrationEndpoint,
    db: server.store.path,
    inspector: `${server.url}/`,
    profile: config.profile,
    config: configFile,
    fixtures:
      fixtures.length === 0
        ? undefined
        : { clients: fixtures.length, stored: server.fixturesAdded, from: fixturesFrom ?? 'code' },
    failures: config.failures.map(ruleSpec),
    latency: latency === undefined ? undefined : latency[0] === latency[1] ? `${latency[0]}` : latency.join('-'),
    tenants: [...server.tenants].map(([name, tenant]) => ({ name, issuer: tenant.issuer, db: tenant.store.path })),
  });
  if (!isLoopback(config.host)) {
    output.warn(
      `listening on ${config.host}, reachable from other machines. Secrets are fake and stored in clear; bind to 127.0.0.1 unless you mean it.`,
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

function fatal(err: unknown, output: CliOutput): number {
  if (err instanceof StartupError) {
    output.fail(err.message, err.exitCode);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') {
    output.fail(`Failed to listen: ${e.message}. Choose another --port or --host (--port 0 picks a free port).`, 1);
    return 1;
  }
  output.fail(`Failed to start: ${e?.stack ?? String(err)}`, 1);
  return 1;
}
