import { chromium, defineConfig } from '@playwright/test';
import { chromiumForThisMachine } from './test/e2e/support/chromium.js';

const browser = chromiumForThisMachine(() => chromium.executablePath());

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  fullyParallel: true,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  // The example app, on a free port of loopback: a page calling dcr-mock on 127.0.0.1 must itself come
  // from loopback. Its port reaches the tests as EXAMPLE_PORT.
  webServer: {
    command: 'node examples/browser-client/server.js 0',
    wait: { stdout: /served at http:\/\/localhost:(?<example_port>\d+)/ },
    stdout: 'ignore',
    timeout: 15_000,
  },
  use: {
    baseURL: process.env['EXAMPLE_PORT'] ? `http://localhost:${process.env['EXAMPLE_PORT']}` : undefined,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: browser.executablePath, args: browser.args },
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
