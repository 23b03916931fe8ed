import { defineConfig } from '@playwright/test';

// `cargo xtask test`, after nginx: a dist built for / by `cargo xtask dist`'s code, with its
// staticwebapp.config.json, served by the Azure Static Web Apps CLI's local emulator
// (`swa start`, end2end/swa/package-lock.json) against the sandbox. SWA_DIST is that dist.
const appUrl = process.env.APP_URL;
if (!appUrl || !process.env.SWA_DIST) {
  throw new Error('APP_URL or SWA_DIST is not set: run the suite through `cargo xtask e2e-swa`.');
}

export default defineConfig({
  testDir: './swa',
  // The emulator's own package lives in swa/ too.
  testIgnore: '**/node_modules/**',
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
