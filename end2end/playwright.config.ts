import { defineConfig } from '@playwright/test';

// `cargo xtask test` starts the app (release build, static server) and a fresh sandbox,
// then runs this suite with APP_URL and SANDBOX_URL set.
const appUrl = process.env.APP_URL;
if (!appUrl) {
  throw new Error('APP_URL is not set: run the suite through `cargo xtask test`.');
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: appUrl,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
