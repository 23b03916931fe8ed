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

// The page asks for the admin's language file with itself (index.html's preload), by the
// app's own rule; the app's request then takes it: one file, one transfer, in any language.
for (const [locale, file] of [['fr-CA', 'lang-fr.json'], ['zh-TW', 'lang-zh-CN.json'], ['de-DE', 'lang-en.json']]) {
  test(`a ${locale} browser is sent ${file} once, and no other language`, async ({ browser }) => {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const files: string[] = [];
    page.on('response', (r) => {
      const name = new URL(r.url()).pathname.split('/').pop() ?? '';
      if (name.startsWith('lang-')) files.push(name);
    });
    await page.goto('/');
    await expect(page.getByRole('button', { name: /./ }).first()).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', file.slice(5, -5));
    expect(files).toEqual([file]);
    await context.close();
  });
}
