import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const running = new Set<CliProcess>();

/** The built CLI running as a child process. Call `stop()` in a finally block. */
export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** The base URL from the first line of its stdout. */
  readonly url: string;
  readonly registrationEndpoint: string;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it with SIGKILL unless it has already exited, and waits for the exit. */
  stop(): Promise<void>;
}

/** Spawns `node dist/cli.js ARGS` in `cwd` (no DCR_MOCK_* variables) and waits for its URL. */
export async function spawnCli(args: readonly string[], cwd: string): Promise<CliProcess> {
  if (!existsSync(CLI)) throw new Error(`Failed to find ${CLI}: it is built by npm run build. Run it first.`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DCR_MOCK_')));
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const handle = { child, url: '', registrationEndpoint: '', exited, stop };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  try {
    const url = await firstLine(child);
    return { ...handle, url, registrationEndpoint: `${url}/oidc/register` };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Kills every child spawnCli started that is still running: for afterAll, in case a test gave up on one. */
export async function stopAllCli(): Promise<void> {
  await Promise.all([...running].map((cli) => cli.stop()));
}

function firstLine(child: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err += chunk));
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end !== -1) resolve(out.slice(0, end).trim());
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`dcr-mock exited (${code ?? signal}) before printing its URL. stderr: ${err}`)),
    );
  });
}
