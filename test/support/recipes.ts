import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './processes.js';

const TESTING = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');

/** The shell recipe and the GitHub Actions step's script of docs/testing.md's "In scripts and CI", as shown. */
export function ciRecipes(): { script: string; step: string } {
  const section = TESTING.slice(TESTING.indexOf('### In scripts and CI\n'), TESTING.indexOf('\n## Fixtures\n'));
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  const run = yaml && /^( *)run: \|\n((?:\1 {2}.*\n)+)/m.exec(yaml);
  if (!script || !run) throw new Error('docs/testing.md lacks the sh recipe or the YAML step of "In scripts and CI"');
  const indent = run[1]!.length + 2;
  return { script, step: run[2]!.replace(new RegExp(`^ {${indent}}`, 'gm'), '') };
}

/**
 * The suite a recipe runs: the `test` script of a user's package.json, here a registration against MOCK_URL.
 * It prints the status it got; `DCR_SUITE_FAILS=1` makes it fail after that.
 */
export const SUITE = `const res = await fetch(new URL('/oidc/register', process.env.MOCK_URL), {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ redirect_uris: ['http://localhost/cb'] }),
});
console.log('suite: registration', res.status);
if (process.env.DCR_SUITE_FAILS === '1') process.exit(3);
`;

export interface RecipeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` with `shell` in `cwd` to its end (at most 60 s). */
export async function runScript(
  shell: readonly string[],
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RecipeRun> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('DCR_MOCK_') && !key.startsWith('VITEST')),
  );
  try {
    const { stdout, stderr } = await promisify(execFile)(shell[0]!, [...shell.slice(1), '-c', script], {
      cwd,
      env: { ...clean, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
