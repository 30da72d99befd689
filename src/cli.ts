import { readCommandLine } from './command-line.js';
import type { Config } from './config.js';
import { StartupError } from './errors.js';
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
