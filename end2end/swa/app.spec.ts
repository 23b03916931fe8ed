import { test, expect, sentFilters, type Page } from '../tests/helpers';

// The app as deployed on Azure Static Web Apps (its emulator): at the root of its host,
// every view through the navigation fallback. CSP violations of every page load are
// collected by the fixture of ../tests/helpers.
const app = process.env.APP_URL!;
const sandbox = process.env.SANDBOX_URL!;

test.beforeEach(async () => {
  const r = await fetch(`${sandbox}/sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(r.ok, `reset: ${r.status} ${await r.text()}`).toBeTruthy();
});

async function signIn(page: Page) {
  await page.getByRole('button', { name: 'Sign in to continue' }).click();
  await page.locator('button[data-account^="admin@"]').click();
  await expect(page.getByTestId('account-name')).toBeVisible();
}

const rows = (page: Page) => page.locator('table.requests tbody tr[data-id]');

test('a bookmarked filtered view: sign-in round trip, then reload', async ({ page }) => {
  const view = 'requests?state=deliveryFailed,partiallyDelivered&sort=window';
  const sent = sentFilters(page, 'assignmentRequests');
  const response = await page.goto(view);
  expect(response!.status()).toBe(200);
  expect(response!.headers()['content-security-policy']).toContain("default-src 'none'");
  await signIn(page);
  expect(page.url()).toBe(`${app}${view}`);
  await expect(rows(page).first()).toBeVisible();
  await page.reload();
  expect(page.url()).toBe(`${app}${view}`);
  await expect(rows(page).first()).toBeVisible();
  // Graph was asked for each state, from the reloaded page too.
  expect(new Set(sent)).toEqual(new Set(["state eq 'deliveryFailed'", "state eq 'partiallyDelivered'"]));
  expect(sent.length).toBeGreaterThanOrEqual(4);
});

test('a deep link to a request, then the app\'s own links', async ({ page }) => {
  await page.goto('requests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b');
  await signIn(page);
  await expect(page.getByTestId('request-state')).toHaveAttribute('data-value', 'deliveryFailed');
  await page.getByRole('link', { name: '← All requests' }).click();
  await expect(page).toHaveURL(`${app}requests`);
  await expect(rows(page).first()).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assignments' }).click();
  await expect(page).toHaveURL(`${app}assignments`);
  await page.getByRole('link', { name: 'Access Desk' }).click();
  await expect(page).toHaveURL(app);
  await expect(page.getByTestId('catalogs')).toBeVisible();
});

test('an unknown path is the app\'s own not-found page', async ({ page }) => {
  const response = await page.goto('no-such-page');
  expect(response!.status()).toBe(200);
  await expect(page.getByTestId('not-found')).toBeVisible();
});
