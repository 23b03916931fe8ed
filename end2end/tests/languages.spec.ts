import { test, expect, resetSandbox } from './helpers';

// The app in the browser's language. Each language's texts, dates and picker are checked
// page by page in that language's accessibility walk (a11y.spec.ts), which visits every
// page once; here, what no walk reaches: a language file that cannot be read.

test.beforeEach(async () => {
  await resetSandbox();
});

test('a language file that cannot be read leaves the app in English, and says so', async ({ page }) => {
  await page.route('**/lang-fr.json', (route) => route.fulfill({ status: 404, body: 'Not Found' }));
  await page.addInitScript(() => localStorage.setItem('access-desk.language', 'fr'));
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Français' })).toBeVisible();
});
