import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  /** The base URL the child printed first. */
  readonly url: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
}

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
// After the file's tests, even failed ones, and if the test process itself goes away.
afterAll(killAll);
process.once('exit', killAll);

/** Spawns `node dist/cli.js ARGS` and waits for the URL line; killed after the file's tests if still alive. */
export async function spawnCli(args: readonly string[], options: { command?: readonly string[]; startMs?: number } = {}): Promise<Child> {
  const [command = process.execPath, ...prefix] = options.command ?? [process.execPath];
  const child = spawn(command, [...prefix, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child printed no URL within ${options.startMs ?? 15_000} ms: ${err}`)), options.startMs ?? 15_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the child exited (${code}) before printing its URL: ${err}`));
    });
  });
  child.stdout!.resume();
  return { process: child, url, stderr: () => err, exited };
}

/** Kills the child with a signal and waits for it to be gone. */
export async function kill(child: Child, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  return child.exited;
}

export { once };
