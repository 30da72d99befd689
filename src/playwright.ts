import { test as base, expect } from '@playwright/test';
import { type DcrMock, type DcrMockIssuer, type DcrMockOptions, type StartOptions, startDcrMock } from './index.js';

export { expect };
export type { DcrMock, DcrMockIssuer, DcrMockOptions, StartOptions };

/** Fixtures that live as long as a Playwright worker. */
export interface DcrMockWorkerFixtures {
  /**
   * Options of the worker's server, e.g. `test.use({ dcrMockOptions: { seed: 'checkout' } })`.
   * Defaults: a free port (`port: 0`; a fixed port suits one worker only) and an in-memory store.
   */
  dcrMockOptions: StartOptions;
  /**
   * The worker's dcr-mock (the handle `startDcrMock` returns), reset before each test that runs in it, its
   * tenants included: with `dcrMockOptions: { tenants: ['a'] }`, `dcrMock.tenant('a')` is tenant a's handle.
   */
  dcrMock: DcrMock;
  _dcrMockStarted: { current: DcrMock | undefined };
}

/** Fixtures set up for each test. */
export interface DcrMockTestFixtures {
  _dcrMockReset: undefined;
}

/**
 * Playwright's `test` with a `dcrMock` fixture: one server per worker, started on first use, reset
 * (clients, journal, run-time failure rules, credential sequence; codes, tokens, refresh-token families,
 * the clock and the signing keys) before every test so that tests stay independent under `fullyParallel`,
 * and closed when the worker ends. `dcrMock` is the handle `startDcrMock` returns, with all its members.
 *
 * @example
 * import { test, expect } from 'dcr-mock/playwright';
 *
 * test('shows the 429', async ({ page, dcrMock }) => {
 *   dcrMock.fail('rate_limited:times=1');
 *   await page.goto(`/?registration=${dcrMock.registrationEndpoint}`);
 * });
 */
export const test = base.extend<DcrMockTestFixtures, DcrMockWorkerFixtures>({
  dcrMockOptions: [{}, { scope: 'worker', option: true }],

  _dcrMockStarted: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this destructuring
    async ({}, use) => {
      await use({ current: undefined });
    },
    { scope: 'worker' },
  ],

  dcrMock: [
    async ({ dcrMockOptions, _dcrMockStarted }, use) => {
      const mock = await startDcrMock({ port: 0, db: ':memory:', ...dcrMockOptions });
      _dcrMockStarted.current = mock;
      try {
        await use(mock);
      } finally {
        _dcrMockStarted.current = undefined;
        await mock.close();
      }
    },
    { scope: 'worker' },
  ],

  // Resets the worker's server when an earlier test started it; a server started by this test is fresh.
  // It does not ask for `dcrMock`, so tests that never use it start no server.
  _dcrMockReset: [
    async ({ _dcrMockStarted }, use) => {
      await _dcrMockStarted.current?.reset();
      await use(undefined);
    },
    { auto: true },
  ],
});
