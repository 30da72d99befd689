import { existsSync } from 'node:fs';

/** Debian's (and Ubuntu's) Chromium package. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless browser that reaches nothing but the tests' servers. */
const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ChromiumFacts {
  /** CHROMIUM_PATH, if set. */
  readonly chromiumPath: string | undefined;
  /** Where Playwright's own download would be, if it knows. */
  readonly playwrightPath: string | undefined;
  readonly exists: (path: string) => boolean;
  readonly root: boolean;
}

export interface LaunchChoice {
  readonly executablePath: string;
  readonly args: string[];
}

/**
 * Which Chromium the browser tests launch: CHROMIUM_PATH when set, else Debian's /usr/bin/chromium,
 * else the one `npx playwright install chromium` downloads. None: an error that says how to get one,
 * so the browser tests fail rather than skip.
 */
export function chooseChromium(facts: ChromiumFacts): LaunchChoice {
  const args = facts.root ? ['--no-sandbox', ...QUIET_FLAGS] : [...QUIET_FLAGS];
  if (facts.chromiumPath !== undefined && facts.chromiumPath !== '') {
    if (!facts.exists(facts.chromiumPath)) {
      throw new Error(
        `[dcr-mock] Failed to launch the browser tests: CHROMIUM_PATH is ${facts.chromiumPath}, which does not exist. ` +
          'Point it at a Chromium or Chrome binary, or unset it.',
      );
    }
    return { executablePath: facts.chromiumPath, args };
  }
  for (const path of [DEBIAN_CHROMIUM, facts.playwrightPath]) {
    if (path !== undefined && facts.exists(path)) return { executablePath: path, args };
  }
  throw new Error(
    '[dcr-mock] Failed to launch the browser tests: no Chromium found (CHROMIUM_PATH is not set, ' +
      `${DEBIAN_CHROMIUM} does not exist, and Playwright has not downloaded one). Install one: ` +
      '`sudo apt-get install -y chromium` on Debian or Ubuntu, or `npx playwright install chromium`, ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}

/** The choice for this machine. */
export function chromiumForThisMachine(playwrightPath: () => string | undefined): LaunchChoice {
  let bundled: string | undefined;
  try {
    bundled = playwrightPath();
  } catch {
    bundled = undefined;
  }
  return chooseChromium({
    chromiumPath: process.env['CHROMIUM_PATH'],
    playwrightPath: bundled,
    exists: existsSync,
    root: process.getuid?.() === 0,
  });
}
