import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const alive = new Set<ChildProcess>();
let cleanupRegistered = false;

/** Every child started through this module is killed after the file's tests, whatever happened. */
function track(child: ChildProcess): void {
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    afterAll(() => {
      for (const c of alive) c.kill('SIGKILL');
      alive.clear();
    });
  }
  alive.add(child);
  child.once('exit', () => alive.delete(child));
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The child outlived the deadline and was killed. */
  killed: boolean;
}

/** Runs `node ...args` to its end; kills it (and says so) if it is still running at the deadline. */
export function runNode(args: string[], deadlineMs: number, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, deadlineMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

export interface CliServer {
  readonly url: string;
  readonly registrationEndpoint: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `dcr-mock` (dist/cli.js) and resolves once it prints its URL. */
export function startCli(args: string[]): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`dcr-mock exited with ${code} before printing its URL: ${stderr}`)));
    child.stdout!.setEncoding('utf8').on('data', function onData(s: string) {
      stdout += s;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      child.stdout!.off('data', onData).resume();
      const url = stdout.slice(0, newline).trim();
      resolve({
        url,
        registrationEndpoint: `${url}/oidc/register`,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
