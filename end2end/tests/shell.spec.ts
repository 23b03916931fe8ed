import { test, expect } from './helpers';

test('the shell loads its config and shows the header with a named Sign in button', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Access Desk' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // The header says which tenant and cloud the build was configured for at run time.
  await expect(page.getByTestId('tenant')).toHaveText(process.env.TENANT_ID!);
  await expect(page.getByTestId('cloud')).toHaveText('global');
  expect(errors).toEqual([]);
});

test('an unknown address shows the not-found page, not a blank screen', async ({ page }) => {
  await page.goto('/no/such/page?x=1');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await expect(page.getByRole('heading', { name: 'Page not found' })).toHaveCount(0);
});

test('a missing config.json is explained on the page', async ({ page }) => {
  await page.route('**/config.json', (route) => route.fulfill({ status: 404, body: 'Not Found' }));
  await page.goto('/');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('config.json could not be loaded');
  await expect(alert).toContainText('HTTP 404');
});

test('an invalid config.json lists each problem by field', async ({ page }) => {
  await page.route('**/config.json', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({ clientId: 'not-a-guid', tenantId: 'common', cloud: 'mars' }),
    }),
  );
  await page.goto('/');
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('listitem')).toHaveCount(4);
  await expect(alert).toContainText('"clientId"');
  await expect(alert).toContainText('"tenantId"');
  await expect(alert).toContainText('"cloud"');
  await expect(alert).toContainText('"redirectUri"');
});
