import { describe, expect, it } from 'vitest';
import { chooseChromium } from '../e2e/support/chromium.js';

const PLAYWRIGHT = '/root/.cache/ms-playwright/chromium-1200/chrome-linux/chrome';
const QUIET = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describe('chooseChromium', () => {
  it.each([
    {
      why: 'CHROMIUM_PATH wins',
      env: '/opt/chrome/chrome',
      present: ['/opt/chrome/chrome', '/usr/bin/chromium', PLAYWRIGHT],
      path: '/opt/chrome/chrome',
    },
    {
      why: "Debian's before Playwright's",
      env: undefined,
      present: ['/usr/bin/chromium', PLAYWRIGHT],
      path: '/usr/bin/chromium',
    },
    { why: "Playwright's when it is the only one", env: undefined, present: [PLAYWRIGHT], path: PLAYWRIGHT },
    {
      why: 'an empty CHROMIUM_PATH counts as unset',
      env: '',
      present: ['/usr/bin/chromium'],
      path: '/usr/bin/chromium',
    },
  ])('$why', ({ env, present, path }) => {
    const choice = chooseChromium({
      chromiumPath: env,
      playwrightPath: PLAYWRIGHT,
      exists: (p) => present.includes(p),
      root: false,
    });
    expect(choice.executablePath).toBe(path);
    expect(choice.args).toEqual(QUIET);
  });

  it('adds --no-sandbox as root, where Chromium refuses to start sandboxed', () => {
    const choice = chooseChromium({
      chromiumPath: undefined,
      playwrightPath: undefined,
      exists: () => true,
      root: true,
    });
    expect(choice.args).toEqual(['--no-sandbox', ...QUIET]);
  });

  it('fails, saying how to install one, when there is none', () => {
    const none = () =>
      chooseChromium({ chromiumPath: undefined, playwrightPath: PLAYWRIGHT, exists: () => false, root: false });
    expect(none).toThrow(
      /no Chromium found.*apt-get install -y chromium.*npx playwright install chromium.*CHROMIUM_PATH/,
    );
  });

  it('fails when CHROMIUM_PATH names a missing file, rather than quietly using another browser', () => {
    const missing = () =>
      chooseChromium({
        chromiumPath: '/nowhere/chrome',
        playwrightPath: PLAYWRIGHT,
        exists: (p) => p !== '/nowhere/chrome',
        root: false,
      });
    expect(missing).toThrow(/CHROMIUM_PATH is \/nowhere\/chrome, which does not exist/);
  });
});
