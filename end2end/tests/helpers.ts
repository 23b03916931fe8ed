import { expect, type Page } from '@playwright/test';

/** Where `cargo xtask test` started the app and the sandbox. */
export const sandbox = process.env.SANDBOX_URL!;
export const app = process.env.APP_URL!;

/** A fresh tenant for each test: data, clock, settings and operation log. */
export async function resetSandbox(settings: object = {}) {
  const r = await fetch(`${sandbox}/sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(r.ok).toBeTruthy();
}

/** Opens `path` signed out, signs in as `who` from the page's prompt, and waits for it. */
export async function openSignedIn(page: Page, path: string, who = 'admin@') {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in to continue' }).click();
  await page.locator(`button[data-account^="${who}"]`).click();
  await page.waitForURL((u) => u.toString().startsWith(app));
  await expect(page.getByTestId('account-name')).toBeVisible();
}

/** The sandbox's operation log: every POST it answered, accepted or refused. */
export async function operations(): Promise<any[]> {
  const r = await fetch(`${sandbox}/sandbox/log`);
  return (await r.json()).value;
}
