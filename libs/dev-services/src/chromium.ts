import { SYSTEM_PACKAGES } from './system-packages';

/**
 * How our tools launch Chromium, the same for the Playwright suites and the bench's web figures: Debian's
 * build (no browser download is possible offline), or CHROMIUM_PATH.
 */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env['CHROMIUM_PATH'] ?? SYSTEM_PACKAGES.chromium.binary,
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
};
