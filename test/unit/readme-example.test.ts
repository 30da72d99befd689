import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

// docs/testing.md's Playwright example is run by test/e2e/readme.spec.ts; the two must not drift apart.
it("docs/testing.md's Playwright example is the test that test/e2e/readme.spec.ts runs", () => {
  const readme = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Playwright'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const spec = readFileSync(new URL('../e2e/readme.spec.ts', import.meta.url), 'utf8');
  const code = spec.replace(/^(\/\/.*\n)+/, '');
  expect(example).toBeDefined();
  expect(code).toBe(example);
});
