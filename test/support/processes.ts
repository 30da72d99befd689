import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the deadline passed and the process was killed. */
  timedOut: boolean;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) when still running after this many ms. */
  readonly deadlineMs: number;
}

/** The environment of this test process without vitest's own variables, so a child vitest starts afresh. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !key.startsWith('DCR_MOCK_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Spawns child processes for one test file; any still running when the file ends is killed.
 * Call at the top of a test file.
 */
export function childProcesses() {
  const running = new Set<ChildProcess>();
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  const launch = (command: string, args: readonly string[], options: Omit<RunOptions, 'deadlineMs'>) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return child;
  };

  /** Runs a command to its end, or kills it at the deadline. */
  const run = async (command: string, args: readonly string[], options: RunOptions): Promise<Finished> => {
    const child = launch(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.deadlineMs);
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    return { code, signal, stdout, stderr, timedOut };
  };

  /**
   * Starts `dcr-mock` (dist/cli.js) and waits for the URL on its first line. `stop()` sends SIGTERM
   * and resolves with how it ended.
   */
  const startCli = async (args: readonly string[], options: { env?: NodeJS.ProcessEnv; deadlineMs?: number } = {}) => {
    const child = launch(process.execPath, [CLI, ...args], { env: options.env ?? cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    const firstLine = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`dcr-mock printed no URL within ${options.deadlineMs ?? 10_000} ms; stderr: ${stderr}`));
      }, options.deadlineMs ?? 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // The whole banner is written at once; wait for it so `stdout` holds every line of it.
        if (/^db: .*\n/m.test(stdout)) {
          clearTimeout(timer);
          resolve(stdout.split('\n', 1)[0]!);
        }
      });
      void closed.then(([code]) => {
        clearTimeout(timer);
        reject(new Error(`dcr-mock exited with ${code} before printing its URL; stderr: ${stderr}`));
      });
    });
    const url = await firstLine;
    return {
      url,
      output: () => stdout,
      stop: async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.kill('SIGTERM');
        const [code, signal] = await closed;
        clearTimeout(timer);
        return { code, signal };
      },
    };
  };

  return { run, startCli };
}
