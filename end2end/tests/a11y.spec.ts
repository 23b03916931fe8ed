import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from './helpers';
import { app, catalog, operations, resetSandbox } from './helpers';

// Accessibility measured: axe-core on every page and state, in each language and in the
// light and the dark theme, must find no serious or critical violation; the same walks
// check each language's texts, dates and picker; and one admin without a mouse goes from
// sign-in to a reprocessed request.

/** The browser's locale for each of the app's languages, and how its dates look. */
const LANGUAGES: Record<string, { locale: string; date: RegExp }> = {
  en: { locale: 'en-US', date: /[A-Z][a-z]{2} \d{1,2}, \d{4}/ },
  fr: { locale: 'fr-FR', date: /\d{1,2} [a-zéû]+\.? \d{4}/ },
  'zh-CN': { locale: 'zh-CN', date: /\d{4}年\d{1,2}月\d{1,2}日/ },
};

/**
 * One walk per language and theme where it adds coverage: each language once in the light
 * theme (its texts, lengths and `lang` on every page), and the dark theme once, in
 * English (its colours are the same in every language). Each walk checks every page and
 * state with axe and, outside English, that the texts are the language file's.
 */
const WALKS: { lang: string; colorScheme: 'light' | 'dark' }[] = [
  { lang: 'fr', colorScheme: 'light' },
  { lang: 'zh-CN', colorScheme: 'light' },
  { lang: 'en', colorScheme: 'dark' },
];

/** The texts the walk looks for: the language file's (English's is written from the catalog in src/i18n.rs). */
const texts = (lang: string): Record<string, string> =>
  lang === 'en'
    ? {
        SignInToContinue: 'Sign in to continue',
        CatalogsTitle: 'Catalogs you can manage',
        LoadAll: 'Load all',
        RequestsTitle: 'Access package assignment requests',
        LanguageLabel: 'Language',
        SignOut: 'Sign out',
        SignIn: 'Sign in',
      }
    : catalog(lang);

/** A message with its {placeholders} filled. */
const fill = (text: string, args: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));

const REPROCESS_REQUEST = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';
const CONTINUE_REQUEST = '0e60f18c-b2a0-4887-9da8-da2e30a39d99';
const DELIVERED_ASSIGNMENT = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';

test.beforeEach(async () => {
  await resetSandbox();
});

/** axe's serious and critical findings on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  // axe looked: rules ran and passed on this page (contrast among them).
  expect(result.passes.map((r) => r.id)).toContain('color-contrast');
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`));
}

for (const { lang, colorScheme } of WALKS) {
  const { locale, date } = LANGUAGES[lang];
  test.describe(`${lang}, ${colorScheme} theme`, () => {
    test.use({ colorScheme, locale });
    const t = texts(lang);
    /** Checks a text against the language file (English has none to check against). */
    const inLanguage = lang !== 'en';

    test('every page and state in the language, with no serious accessibility violation', async ({ page }) => {
      test.setTimeout(150_000);
      const found: Record<string, string[]> = {};
      const check = async (name: string) => {
        const v = await seriousViolations(page);
        if (v.length) found[name] = v;
      };

      await page.goto('/');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await check('signed out');

      // A bookmarked filtered list, signed out: the prompt, then sign-in, in the language.
      await page.goto('/requests?state=deliveryFailed');
      if (inLanguage) await expect(page.getByText(t.SignInToSee)).toBeVisible();
      await page.getByRole('button', { name: t.SignInToContinue }).click();
      await page.locator('button[data-account^="admin@"]').click();
      await page.waitForURL(/\/requests\?state=deliveryFailed$/);
      await expect(page.getByTestId('account-name')).toBeVisible();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.RequestsTitle);
      const row = page.locator('table.requests tbody tr[data-id]').first();
      await expect(row).toBeVisible();
      await expect(row.locator('td.state')).toHaveAttribute('title', 'deliveryFailed');
      await expect(row.locator('td.created')).toHaveText(date);
      if (inLanguage) {
        await expect(row.locator('td.state')).toHaveText(t.StateDeliveryFailed);
        await expect(page.getByRole('checkbox', { name: t.StateDeliveryFailed })).toBeChecked();
      }

      await page.goto('/');
      await expect(page.getByRole('heading', { name: t.CatalogsTitle })).toBeVisible();
      await expect(page.getByTestId('overview')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
      await page.getByTestId('completions').locator('summary').click();
      await check('start page, overview and its table open');

      await page.goto('/requests?view=attention');
      await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();
      await page.getByTestId('fetch-plan').locator('summary').click();
      await page.getByTestId('column-picker').locator('summary').click();
      await check('requests list, plan and columns open');

      await page.getByRole('button', { name: t.LoadAll, exact: true }).click();
      await expect(page.getByTestId('bulk-all')).toBeEnabled({ timeout: 20_000 });
      await page.getByTestId('bulk-all').click();
      const confirm = page.getByTestId('bulk-confirm');
      await expect(confirm).toBeVisible();
      if (inLanguage) {
        const eligible = Number(await confirm.getByTestId('bulk-eligible').textContent());
        const skipped = Number(await confirm.getByTestId('bulk-skipped').textContent());
        await expect(confirm.locator('#bulk-plan')).toHaveText(fill(t.BulkPlan, { eligible, skipped }));
      }
      await check('bulk plan');

      await page.goto(`/requests/${REPROCESS_REQUEST}`);
      await expect(page.getByTestId('request-title')).toBeVisible();
      if (inLanguage) {
        await expect(page.getByRole('heading', { name: t.Actions })).toBeVisible();
        await expect(page.getByTestId('resume-why-not')).toHaveText(t.RuleNotWaiting);
      }
      await page.locator('[data-action=reprocess]').getByTestId('reprocess').click();
      await expect(page.getByTestId('reprocess-confirm')).toBeVisible();
      await check('request detail, reprocess confirmation');

      await page.goto(`/requests/${CONTINUE_REQUEST}`);
      const form = page.getByTestId('resume-form');
      await expect(form).toBeVisible();
      await form.getByRole('textbox').first().fill('not a guid');
      await form.getByLabel(t.ResumeSource ?? 'Source', { exact: true }).fill(' ');
      // The field errors are drawn before axe looks at them.
      await expect(form.getByTestId('error-instance')).not.toBeEmpty();
      await expect(form.getByTestId('error-source')).not.toBeEmpty();
      if (inLanguage) {
        await expect(form.getByTestId('error-instance')).toHaveText(t.RuleInstanceIdNotGuid);
        await expect(form.getByTestId('error-source')).toHaveText(t.RuleSourceEmpty);
      }
      await check('resume form with field errors');

      await page.goto('/assignments');
      await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();
      await check('assignments list');

      await page.goto(`/assignments/${DELIVERED_ASSIGNMENT}`);
      await expect(page.getByTestId('assignment-title')).toBeVisible();
      await check('assignment detail');

      await page.goto('/no-such-page');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await check('not found');

      if (inLanguage) {
        // The picker: English, on the same view, remembered across a reload; and back.
        await page.goto('/requests?state=deliveryFailed');
        const view = page.url();
        await page.getByRole('combobox', { name: t.LanguageLabel }).selectOption('en');
        await expect(page.getByRole('heading', { level: 1 })).toHaveText('Access package assignment requests');
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        expect(page.url()).toBe(view);
        await expect(page.getByRole('combobox', { name: 'Language' })).toBeFocused();
        await page.reload();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText('Access package assignment requests');
        await page.getByRole('combobox', { name: 'Language' }).selectOption(lang);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.RequestsTitle);
        expect(page.url()).toBe(view);
      }

      // An account without a role: the 403 explained.
      await page.getByRole('button', { name: t.SignOut }).click();
      await expect(page.getByRole('button', { name: t.SignIn, exact: true })).toBeVisible();
      await page.goto('/requests');
      await page.getByRole('button', { name: t.SignInToContinue }).click();
      await page.locator('button[data-account^="user@"]').click();
      await page.waitForURL((u) => u.toString().startsWith(app));
      await expect(page.getByTestId('graph-error')).toBeVisible();
      await check('an error page');

      expect(found).toEqual({});
    });
  });
}

/** Presses Tab until `target` has focus (at most `limit` times). */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

test('keyboard only: sign in, a filtered list, the detail page, reprocess', async ({ page }) => {
  await page.goto('/requests?state=deliveryFailed');
  await tabTo(page, page.getByRole('button', { name: 'Sign in to continue' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.locator('button[data-account^="admin@"]'));
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.toString().startsWith(app));
  await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();

  // Narrow the filtered list to one request by its id, then open it.
  await tabTo(page, page.getByRole('searchbox', { name: 'Search' }));
  await page.keyboard.type(REPROCESS_REQUEST);
  await expect(page.locator('table tbody tr[data-id]')).toHaveCount(1);
  await tabTo(page, page.locator(`table tbody tr[data-id="${REPROCESS_REQUEST}"] a`));
  await page.keyboard.press('Enter');

  // Focus moves to the new page's heading.
  const title = page.getByTestId('request-title');
  await expect(title).toBeFocused();

  await tabTo(page, page.locator('[data-action=reprocess]').getByTestId('reprocess'));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByTestId('reprocess-now'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  const sent = (await operations()).filter((o) => o.kind === 'action' && o.target === REPROCESS_REQUEST);
  expect(sent).toHaveLength(1);
});
