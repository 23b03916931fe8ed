import { defineConfig } from '@playwright/test';

// `cargo xtask test`, last stage: dist/ built for /access-desk/, served by Debian's nginx
// with deploy/nginx.conf and the generated Content-Security-Policy, against the sandbox.
// APP_URL ends with the sub-path and a slash; the specs use paths relative to it.
const appUrl = process.env.APP_URL;
if (!appUrl?.endsWith('/access-desk/')) {
  throw new Error('APP_URL is not the nginx sub-path: run the suite through `cargo xtask test`.');
}

export default defineConfig({
  testDir: './nginx',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: appUrl,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
