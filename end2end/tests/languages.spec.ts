import { catalog, test, expect, resetSandbox } from './helpers';

// The app in the browser's language: every text from that language's file (read here from
// the source files, so the test follows the translations), dates by the browser's Intl,
// the address unchanged by a switch.

/** A message with its {placeholders} filled. */
const fill = (text: string, args: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));

const CONTINUE_REQUEST = '0e60f18c-b2a0-4887-9da8-da2e30a39d99';

test.beforeEach(async () => {
  await resetSandbox();
});

const LANGUAGES = [
  // The browser's locale, the app's language, how its dates look.
  { locale: 'zh-CN', lang: 'zh-CN', date: /\d{4}年\d{1,2}月\d{1,2}日/ },
  { locale: 'fr-FR', lang: 'fr', date: /\d{1,2} [a-zéû]+\.? \d{4}/ },
];

for (const { locale, lang, date } of LANGUAGES) {
  test.describe(locale, () => {
    test.use({ locale });
    const t = catalog(lang);

    test(`a browser in ${locale} gets the app in its language, and the picker switches without losing the view`, async ({ page }) => {
      await page.goto('/requests?state=deliveryFailed');
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      // Signed out: the prompt is in the language.
      await expect(page.getByText(t.SignInToSee)).toBeVisible();
      await page.getByRole('button', { name: t.SignInToContinue }).click();
      await page.locator('button[data-account^="admin@"]').click();
      await page.waitForURL(/\/requests\?state=deliveryFailed$/);

      // A filtered list: its title, the state's label, the pager, dates.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.RequestsTitle);
      const row = page.locator('table.requests tbody tr[data-id]').first();
      await expect(row).toBeVisible();
      await expect(row.locator('td.state')).toHaveText(t.StateDeliveryFailed);
      await expect(row.locator('td.state')).toHaveAttribute('title', 'deliveryFailed');
      await expect(row.locator('td.created')).toHaveText(date);
      await expect(page.getByRole('checkbox', { name: t.StateDeliveryFailed })).toBeChecked();

      // A detail page, with a refusal reason in the language.
      await row.locator('td.requestor a').click();
      await expect(page.getByRole('heading', { name: t.Actions })).toBeVisible();
      await expect(page.getByTestId('resume-why-not')).toHaveText(t.RuleNotWaiting);

      // The resume form's field errors.
      await page.goto(`/requests/${CONTINUE_REQUEST}`);
      const form = page.getByTestId('resume-form');
      await form.getByLabel(t.ResumeInstance).fill('not-a-guid');
      await expect(form.getByTestId('error-instance')).toHaveText(t.RuleInstanceIdNotGuid);
      await form.getByLabel(t.ResumeSource, { exact: true }).fill(' ');
      await expect(form.getByTestId('error-source')).toHaveText(t.RuleSourceEmpty);

      // The bulk plan.
      await page.goto('/requests?view=failed-old');
      await expect(page.locator('table.requests tbody tr[data-id]').first()).toBeVisible();
      const all = page.getByRole('button', { name: t.LoadAll, exact: true });
      if (await all.isVisible()) await all.click();
      await page.getByTestId('bulk-all').click();
      const confirm = page.getByTestId('bulk-confirm');
      const eligible = Number(await confirm.getByTestId('bulk-eligible').textContent());
      const skipped = Number(await confirm.getByTestId('bulk-skipped').textContent());
      await expect(confirm.locator('#bulk-plan')).toHaveText(fill(t.BulkPlan, { eligible, skipped }));
      await confirm.getByRole('button', { name: t.Cancel }).click();

      // The picker: English, on the same view, remembered across a reload.
      const view = page.url();
      await page.getByRole('combobox', { name: t.LanguageLabel }).selectOption('en');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Access package assignment requests');
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
      expect(page.url()).toBe(view);
      await expect(page.getByRole('combobox', { name: 'Language' })).toBeFocused();
      await page.reload();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Access package assignment requests');
      // And back.
      await page.getByRole('combobox', { name: 'Language' }).selectOption(lang);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.RequestsTitle);
      expect(page.url()).toBe(view);
    });
  });
}

test('a language file that cannot be read leaves the app in English, and says so', async ({ page }) => {
  await page.route('**/lang-fr.json', (route) => route.fulfill({ status: 404, body: 'Not Found' }));
  await page.addInitScript(() => localStorage.setItem('access-desk.language', 'fr'));
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Français' })).toBeVisible();
});
