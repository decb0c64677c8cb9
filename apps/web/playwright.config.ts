import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '@hwp/dev-services';

const repoRoot = path.join(__dirname, '../..');
const port = Number(process.env.WEB_PORT ?? 3110);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.e2e-spec.ts',
  // The real platform (databases, Redis, the four services and a web server pointed at them) for the
  // specs in e2e/platform; the teardown it returns stops it.
  globalSetup: './e2e/platform/platform.setup.ts',
  projects: [
    // Against the web server below: fixtures, the renderer, and a closed core-api port.
    { name: 'web', testIgnore: 'platform/**' },
    // Against the platform's web server (its baseURL comes from the global set-up): studio, live updates.
    { name: 'platform', testMatch: 'platform/**/*.e2e-spec.ts' },
  ],
  outputDir: path.join(repoRoot, 'test-results/web'),
  // Whatever CI says, so that a result does not depend on it (web:e2e's cache inputs leave CI out): a
  // focused test fails the run, and the web server is always this run's own.
  forbidOnly: true,
  reporter: process.env.CI
    ? 'list'
    : [['list'], ['html', { outputFolder: path.join(repoRoot, 'playwright-report'), open: 'never' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    // Debian's Chromium: no browser download is possible offline (install with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
    launchOptions: CHROMIUM_LAUNCH,
  },
  // Tests run against the production build (`nx run web:build` first), as the demo serves it.
  webServer: {
    command: `npx --no-install next start --hostname 127.0.0.1 --port ${port}`,
    cwd: __dirname,
    url: `${baseURL}/api/health`,
    env: {
      NEXT_TELEMETRY_DISABLED: '1',
      // Demo sign-in and the golden-fixture gallery (/dev/fixtures), which the specs render widgets through.
      DEMO_MODE: '1',
      SDUI_FIXTURES: '1',
      // core-api is not part of this run unless the caller points CORE_API_URL at one; a closed port makes
      // the signed-in home screen show its "can't load" state deterministically.
      CORE_API_URL: process.env.CORE_API_URL ?? 'http://127.0.0.1:9',
    },
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
