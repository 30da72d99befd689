import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

// docs/testing.md's Playwright examples are run by test/e2e; each must not drift from the spec that runs it.
it.each([
  { heading: '### Playwright\n', spec: 'readme.spec.ts' },
  { heading: '#### Logging a user in, in the browser\n', spec: 'readme-login.spec.ts' },
])("docs/testing.md's example under $heading is the test that test/e2e/$spec runs", ({ heading, spec }) => {
  const readme = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
  expect(readme).toContain(heading);
  const section = readme.slice(readme.indexOf(heading));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const code = readFileSync(new URL(`../e2e/${spec}`, import.meta.url), 'utf8').replace(/^(\/\/.*\n)+/, '');
  expect(example).toBeDefined();
  expect(code).toBe(example);
});
