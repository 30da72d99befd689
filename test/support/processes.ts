import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The repository root: where runNode runs by default, and where `npx dcr-mock` finds the package's own bin. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built binary; `npm run build` makes it. */
export const CLI = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** How a child ended, with everything it printed. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Finished extends Exit {
  /** True when the deadline passed and the process was killed. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Default: the repository root. */
  readonly cwd?: string;
  /** Added to this process's environment, less its DCR_MOCK_*, VITEST* and NODE_OPTIONS variables. */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) when still running after this many ms. */
  readonly deadlineMs: number;
}

export interface CliOptions {
  /**
   * Working directory of the CLI; default an empty temp folder, so that neither a db.json nor a
   * dcr-mock.config.json of the checkout plays a part.
   */
  readonly cwd?: string;
  /** Added to this process's environment, less its DCR_MOCK_*, VITEST* and NODE_OPTIONS variables. */
  readonly env?: NodeJS.ProcessEnv;
  /** Start it as a user would type it, `npx dcr-mock …`, instead of `node dist/bin.js …`. */
  readonly npx?: boolean;
  /** The command line that runs dist/bin.js; default plain node. */
  readonly command?: readonly string[];
}

export interface Cli {
  readonly process: ChildProcess;
  /** The base URL: the first line on stdout, or the `url` of the first with --log json. */
  readonly url: string;
  readonly registrationEndpoint: string;
  /** Every complete stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves with the first stdout line (seen or still to come) that matches. */
  waitForLine(match: RegExp): Promise<string>;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once the child has exited and its pipes are drained. */
  readonly exit: Promise<Exit>;
  /** Sends `signal` (SIGTERM by default) unless it has already exited, and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment of this test process without DCR_MOCK_* variables, nor vitest's own, so a child starts afresh. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !key.startsWith('DCR_MOCK_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, ...extra };
}

/** Children still running, with their way out. */
const live = new Map<ChildProcess, Promise<Exit>>();
/** Children that lead their own process group. */
const groups = new WeakSet<ChildProcess>();
let emptyDir: string | undefined;

const killAll = () => {
  for (const child of live.keys()) signal(child, 'SIGKILL');
};
// Every child still running is killed after the file's tests, even failed ones, or when the test process exits first.
process.once('exit', killAll);
afterAll(async () => {
  process.off('exit', killAll);
  const exits = [...live.values()].map((exit) => exit.catch(() => undefined));
  killAll();
  await Promise.all(exits);
  if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
  emptyDir = undefined;
});

/** Runs `node ...args` to its end, or kills it at the deadline. */
export function runNode(args: readonly string[], options: RunOptions): Promise<Finished> {
  const launched = launch(process.execPath, args, { cwd: options.cwd ?? ROOT, env: options.env });
  return untilExit(launched, options.deadlineMs);
}

/**
 * Runs dcr-mock to its end, for options that make it exit (help, bad options, unusable files).
 * Should it start serving instead, it is stopped at once so that the test fails rather than hangs.
 */
export function runCli(args: readonly string[], options: CliOptions & { deadlineMs?: number } = {}): Promise<Finished> {
  const launched = launchCli(args, options);
  void launched.waitForLine(/^(https?:\/\/|\{.*"event":"start")/).then(
    () => signal(launched.process, 'SIGTERM'),
    () => undefined,
  );
  return untilExit(launched, options.deadlineMs ?? 15_000);
}

async function untilExit({ process: child, exit }: Launched, deadlineMs: number): Promise<Finished> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signal(child, 'SIGKILL');
  }, deadlineMs);
  const ended = await exit.finally(() => clearTimeout(timer));
  return { ...ended, timedOut };
}

/**
 * Starts dcr-mock and resolves once it has printed its first line, the URL. Rejects, and kills it, if it
 * exits before or prints nothing within `startMs` (default 15 s).
 */
export async function startCli(args: readonly string[], options: CliOptions & { startMs?: number } = {}): Promise<Cli> {
  const started = launchCli(args, options);
  const { process: child, exit, waitForLine } = started;
  const startMs = options.startMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await Promise.race([
      // Rejects with the exit code and stderr if it ends first, or with the error if it cannot be spawned.
      waitForLine(/./),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`dcr-mock printed no URL within ${startMs} ms:\n${started.stderr()}`)),
          startMs,
        );
      }),
    ]);
    const base = url.startsWith('{') ? String((JSON.parse(url) as { url: unknown }).url) : url.trim();
    return {
      ...started,
      url: base,
      registrationEndpoint: `${base}/oidc/register`,
      async stop(sig: NodeJS.Signals = 'SIGTERM') {
        signal(child, sig);
        return (await exit).code;
      },
    };
  } catch (err) {
    signal(child, 'SIGKILL');
    await exit.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function launchCli(args: readonly string[], options: CliOptions) {
  const env: NodeJS.ProcessEnv = { ...options.env };
  // npx links the package into its cache on first use, which runs `prepare` (a rebuild of dist/) unless
  // scripts are off; other test files run dist/bin.js meanwhile.
  if (options.npx) env['npm_config_ignore_scripts'] = 'true';
  const [command = process.execPath, ...prefix] = options.command ?? [process.execPath];
  const [file, argv] = options.npx ? ['npx', ['dcr-mock', ...args]] : [command, [...prefix, CLI, ...args]];
  return launch(file, argv, {
    cwd: options.cwd ?? (emptyDir ??= mkdtempSync(join(tmpdir(), 'dcr-mock-cwd-'))),
    env,
    // npx gets its own process group, so that a signal reaches npx and the node process under it, as Ctrl-C does.
    group: options.npx === true,
  });
}

type Launched = ReturnType<typeof launch>;

function launch(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; group?: boolean },
) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
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

  let ended: string | undefined;
  const unseen = (match: RegExp) =>
    new Error(`${command} ${ended} without printing a line matching ${match}; stderr:\n${stderr || '(empty)'}`);
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', (err) => {
      for (const w of waiters.splice(0)) w.reject(err);
      reject(err);
    });
    // 'close', not 'exit': by then both pipes are drained.
    child.once('close', (code, sig) => {
      ended = sig === null ? `exited with code ${code}` : `was ended by ${sig}`;
      live.delete(child);
      for (const w of waiters.splice(0)) w.reject(unseen(w.match));
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
  live.set(child, exit);
  if (options.group) groups.add(child);
  const waitForLine = (match: RegExp): Promise<string> => {
    const seen = lines.find((line) => match.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    if (ended !== undefined) return Promise.reject(unseen(match));
    return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
  };
  return { process: child, exit, lines, waitForLine, stdout: () => stdout, stderr: () => stderr };
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
