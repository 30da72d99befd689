import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where `npx dcr-mock` finds the package's own bin. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built binary; `npm run build` makes it. */
export const BIN = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface SpawnOptions {
  /**
   * Working directory of the child; default an empty temp folder, so that neither a db.json nor a
   * dcr-mock.config.json of the checkout plays a part.
   */
  cwd?: string;
  /** Added to the environment, from which every DCR_MOCK_* variable of the test run is removed. */
  env?: Record<string, string>;
  /** Start it as a user would type it, `npx dcr-mock …`, instead of `node dist/cli.js …`. */
  npx?: boolean;
}

/** How a child ended, with everything it printed. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface MockProcess {
  /** The first line on stdout: the base URL. */
  readonly url: string;
  /** Every complete stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves with the first stdout line (seen or still to come) that matches. */
  waitForLine(match: RegExp): Promise<string>;
  /** Resolves once the child has exited. */
  readonly exit: Promise<Exit>;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Children still running, with their way out. */
const live = new Map<ChildProcess, Promise<Exit>>();
/** Children that lead their own process group. */
const groups = new WeakSet<ChildProcess>();

let emptyDir: string | undefined;

/** Kills every child still running and removes the default working folder; call it in afterAll. */
export async function killAll(): Promise<void> {
  const exits = [...live].map(([child, exit]) => {
    signal(child, 'SIGKILL');
    return exit.catch(() => undefined);
  });
  await Promise.all(exits);
  if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
  emptyDir = undefined;
}

/** Starts dcr-mock and resolves once it has printed its first line; rejects if it exits before. */
export async function spawnMock(args: readonly string[], options: SpawnOptions = {}): Promise<MockProcess> {
  const { child, exit, lines, waitForLine } = launch(args, options);
  const url = await Promise.race([
    waitForLine(/./),
    exit.then((e) => {
      throw new Error(`dcr-mock exited (code ${e.code}, signal ${e.signal}) before printing its URL:\n${e.stderr}`);
    }),
  ]);
  return {
    url,
    lines,
    waitForLine,
    exit,
    async stop(sig: NodeJS.Signals = 'SIGTERM') {
      signal(child, sig);
      return (await exit).code;
    },
  };
}

/**
 * Runs dcr-mock to its end, for options that make it exit (help, bad options, unusable files).
 * Should it start serving instead, it is stopped at once so that the test fails rather than hangs.
 */
export function runCli(args: readonly string[], options: SpawnOptions = {}): Promise<Exit> {
  const { child, exit, waitForLine } = launch(args, options);
  void waitForLine(/^https?:\/\//).then(() => signal(child, 'SIGTERM'), () => undefined);
  return exit;
}

function launch(args: readonly string[], options: SpawnOptions) {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('DCR_MOCK_')) env[name] = value;
  Object.assign(env, options.env);
  // npx links the package into its cache on first use, which runs `prepare` (a rebuild of dist/) unless
  // scripts are off; other test files run dist/cli.js meanwhile.
  if (options.npx) env['npm_config_ignore_scripts'] = 'true';
  const [command, argv] = options.npx ? ['npx', ['dcr-mock', ...args]] : [process.execPath, [BIN, ...args]];
  const child = spawn(command, argv, {
    cwd: options.cwd ?? (emptyDir ??= mkdtempSync(join(tmpdir(), 'dcr-mock-cwd-'))),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // npx gets its own process group, so that a signal reaches npx and the node process under it, as Ctrl-C does.
    detached: options.npx === true,
  });

  const lines: string[] = [];
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  let stdout = '';
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.match.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  let exited = false;
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': by then both pipes are drained.
    child.once('close', (code, sig) => {
      exited = true;
      live.delete(child);
      for (const w of waiters.splice(0)) w.reject(new Error(`dcr-mock exited without printing a line matching ${w.match}`));
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
  live.set(child, exit);
  if (options.npx) groups.add(child);
  const waitForLine = (match: RegExp): Promise<string> => {
    const seen = lines.find((line) => match.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    if (exited) return Promise.reject(new Error(`dcr-mock exited without printing a line matching ${match}`));
    return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
  };
  return { child, exit, lines, waitForLine };
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    // A detached child leads its own process group: signal all of it, even once its leader is gone.
    if (groups.has(child)) process.kill(-child.pid!, sig);
    else if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  } catch {
    // Already gone.
  }
}
