// Debian's Chromium driven by playwright-core (no browser download). Outside CI a missing
// Chromium skips the suite with a loud message; with CI=true it is a failure.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why the suite cannot run here, or null. Throws in CI, where a skip would hide a failure. */
export function missingBrowser() {
  if (existsSync(CHROMIUM)) return null;
  const why = `Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium fonts-noto-color-emoji" (or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI=true, so this is a failure, not a skip`);
  const bar = '!'.repeat(100);
  console.error(`\n${bar}\n!! SKIPPING the chat app's browser suite. ${why}.\n${bar}\n`);
  return why;
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
