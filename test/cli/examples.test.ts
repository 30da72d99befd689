import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runNode } from '../support/processes.js';
import { tempDir } from '../support/server.js';

const TESTING = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

/** docs/testing.md's code blocks that are captioned with a file under examples/, by that file. */
function docExamples(): Map<string, string> {
  const blocks = new Map<string, string>();
  const captioned = /^`(examples\/[^`]+)`:\n\n```[a-z]*\n([\s\S]*?)\n```$/gm;
  for (const [, path, code] of TESTING.matchAll(captioned)) blocks.set(path!, `${code}\n`);
  return blocks;
}

describe('the examples of docs/testing.md', () => {
  const scratch = tempDir();

  beforeAll(() => {
    // The examples import 'dcr-mock', which resolves to this package's build.
    expect(existsSync(join(ROOT, 'dist/index.js')), 'run npm run build first').toBe(true);
  });

  it.each([
    ['Programmatic API', 'examples/programmatic-api.mjs'],
    ['Vitest', 'examples/vitest/global-setup.ts'],
    ['Vitest', 'examples/vitest/registration.test.ts'],
    ['Vitest', 'examples/vitest/vitest.config.ts'],
  ])('### %s shows %s exactly as the file that runs', (section, path) => {
    const at = TESTING.indexOf(`### ${section}\n`);
    expect(at, `docs/testing.md has no "### ${section}" section`).toBeGreaterThan(
      TESTING.indexOf('## Use it in your tests\n'),
    );
    expect(TESTING.indexOf(`\`${path}\`:`)).toBeGreaterThan(at);
    expect(docExamples().get(path)).toBe(readFileSync(join(ROOT, path), 'utf8'));
  });

  it('the Programmatic API example runs and exits 0 by itself', async () => {
    const result = await runNode(['examples/programmatic-api.mjs'], { deadlineMs: 15_000 });
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('the Vitest example runs with its own config, globalSetup and all', async () => {
    const report = join(scratch, 'report.json');
    const result = await runNode(
      [VITEST, 'run', '--config', 'examples/vitest/vitest.config.ts', '--reporter=json', `--outputFile=${report}`],
      { deadlineMs: 60_000, env: { CI: '1' } },
    );
    expect(result.timedOut).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      success: boolean;
      numTotalTests: number;
      numPassedTests: number;
      testResults: Array<{ name: string; assertionResults: Array<{ title: string; status: string }> }>;
    };
    expect(json.success).toBe(true);
    expect(json.testResults.map((r) => r.name.slice(ROOT.length))).toEqual(['examples/vitest/registration.test.ts']);
    expect(json.testResults[0]!.assertionResults.map((a) => [a.title, a.status])).toEqual([
      ['registers a client', 'passed'],
      ['gets a 429 when this one request asks for it', 'passed'],
      ['finds the client preloaded as a fixture', 'passed'],
    ]);
  });
});

describe('the examples of docs/authorization.md', () => {
  const AUTHORIZATION = readFileSync(join(ROOT, 'docs/authorization.md'), 'utf8');
  const captioned = /^`(examples\/[^`]+)`:\n\n```[a-z]*\n([\s\S]*?)\n```$/gm;
  const blocks = new Map([...AUTHORIZATION.matchAll(captioned)].map(([, path, code]) => [path!, `${code}\n`]));

  it.each(['examples/authorization/openid-client.mjs', 'examples/authorization/oauth4webapi.mjs'])(
    '%s is shown exactly as the file that runs, and runs to exit 0 by itself',
    async (path) => {
      expect(blocks.get(path)).toBe(readFileSync(join(ROOT, path), 'utf8'));
      const result = await runNode([path], { deadlineMs: 20_000 });
      expect(result.timedOut).toBe(false);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );
});

describe('the example of docs/mcp.md', () => {
  it('examples/mcp/protect-your-server.mjs is shown exactly as the file that runs, and runs to exit 0', async () => {
    const path = 'examples/mcp/protect-your-server.mjs';
    const doc = readFileSync(join(ROOT, 'docs/mcp.md'), 'utf8');
    const block = new RegExp(
      `^\`${path.replaceAll('/', '\\/').replaceAll('.', '\\.')}\`:\\n\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\`$`,
      'm',
    ).exec(doc)?.[1];
    expect(`${block}\n`).toBe(readFileSync(join(ROOT, path), 'utf8'));
    const result = await runNode([path], { deadlineMs: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
