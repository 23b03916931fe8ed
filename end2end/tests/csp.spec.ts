import { test, expect } from './helpers';
import { app, openSignedIn, resetSandbox } from './helpers';

// The static server sends the same Content-Security-Policy a deployment gets
// (xtask/src/csp.rs): the app must do everything under it. Every violation event, in
// every document of the test, is collected by the fixture of ./helpers; this test adds
// the policy's own terms and the console's policy warnings (an ignored or malformed
// directive is a warning there, not a violation event).

test.beforeEach(async () => {
  await resetSandbox();
});

test('the app runs under a strict Content-Security-Policy with no violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) violations.push(m.text());
  });
  const response = await page.goto('/');
  const policy = response!.headers()['content-security-policy'];
  expect(policy).toContain("default-src 'none'");
  expect(policy).toContain("'wasm-unsafe-eval'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toContain("'unsafe-eval'");

  await openSignedIn(page, '/requests?view=attention');
  const row = page.locator('table.requests tbody tr[data-id]').first();
  await expect(row).toBeVisible();
  // Scrolling the windowed table sets the spacer heights (CSSOM, allowed by the policy).
  await page.locator('.table-viewport').first().evaluate((el) => el.scrollBy(0, 2000));
  await row.locator('td.requestor a').click();
  await expect(page.getByTestId('request-state')).toBeVisible();
  await page.goto(`${app}/assignments`);
  await expect(page.locator('table.assignments tbody tr[data-id]').first()).toBeVisible();
  expect(violations).toEqual([]);
});
