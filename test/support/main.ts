import { main } from '../../src/cli.js';

/** How a run of the CLI in this process ended, with everything it printed. */
export interface MainRun {
  /** null when the deadline passed first. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface MainOptions {
  /** The working directory while the command line is read; default this process's. */
  readonly cwd?: string;
  /** DCR_MOCK_* variables of the run; this process's own are hidden from it. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default 15 s. */
  readonly deadlineMs?: number;
}

/**
 * Runs the CLI's `main` in this process, as `runCli` runs the binary, for options that make it exit (help,
 * bad options, unusable files): should it start serving instead, it is stopped at once so that the test
 * fails rather than hangs.
 *
 * `main` reads the variables and the working directory before its first await (yargs reads the variables as it
 * parses, the config file and any relative path are read before the server starts), so both are put back as
 * soon as it returns its promise, and runs may overlap.
 */
export async function runMain(args: readonly string[], options: MainOptions = {}): Promise<MainRun> {
  let stdout = '';
  let stderr = '';
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const io = {
    stdout: {
      write: (text: string) => {
        stdout += text;
        // The URL line, or with --log json the start record.
        if (/^(https?:\/\/|\{"time":[^\n]*"event":"start")/.test(stdout)) stop();
        return true;
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    stop: stopped,
  };
  const saved = Object.entries(process.env).filter(([key]) => key.startsWith('DCR_MOCK_'));
  const cwd = process.cwd();
  for (const [key] of saved) delete process.env[key];
  Object.assign(process.env, options.env);
  let running: Promise<number>;
  try {
    if (options.cwd) process.chdir(options.cwd);
    running = main(args, io);
  } finally {
    process.chdir(cwd);
    for (const key of Object.keys(options.env ?? {})) delete process.env[key];
    Object.assign(process.env, Object.fromEntries(saved));
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      stop();
      resolve(null);
    }, options.deadlineMs ?? 15_000);
  });
  const code = await Promise.race([running, deadline]).finally(() => clearTimeout(timer));
  return { code, stdout, stderr, timedOut: code === null };
}
