import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from './helpers';
import { app, catalog, operations, resetSandbox } from './helpers';

// Accessibility measured: axe-core on every page and state, in each language and in the
// light and the dark theme, must find no serious or critical violation; and one admin
// without a mouse goes from sign-in to a reprocessed request.

/** The texts the walk looks for, in English (compiled into the app) or a language file. */
const texts = (lang: string): Record<string, string> =>
  lang === 'en'
    ? { SignInToContinue: 'Sign in to continue', CatalogsTitle: 'Catalogs you can manage', LoadAll: 'Load all' }
    : catalog(lang);

/** The browser's locale for each of the app's languages. */
const LANGUAGES = [
  { locale: 'en-US', lang: 'en' },
  { locale: 'fr-FR', lang: 'fr' },
  { locale: 'zh-CN', lang: 'zh-CN' },
];

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

for (const { locale, lang } of LANGUAGES) for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${lang}, ${colorScheme} theme`, () => {
    test.use({ colorScheme, locale });
    const t = texts(lang);

    /** Signs in as `who` from `path`, in this language. */
    const openSignedIn = async (page: Page, path: string, who = 'admin@') => {
      await page.goto(path);
      await page.getByRole('button', { name: t.SignInToContinue }).click();
      await page.locator(`button[data-account^="${who}"]`).click();
      await page.waitForURL((u) => u.toString().startsWith(app));
      await expect(page.getByTestId('account-name')).toBeVisible();
    };

    test('every page and state has no serious accessibility violation', async ({ page }) => {
      test.setTimeout(120_000);
      const found: Record<string, string[]> = {};
      const check = async (name: string) => {
        const v = await seriousViolations(page);
        if (v.length) found[name] = v;
      };

      await page.goto('/');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await check('signed out');

      await openSignedIn(page, '/requests?view=attention');
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
      await expect(page.getByTestId('bulk-confirm')).toBeVisible();
      await check('bulk plan');

      await page.goto(`/requests/${REPROCESS_REQUEST}`);
      await expect(page.getByTestId('request-title')).toBeVisible();
      await page.locator('[data-action=reprocess]').getByTestId('reprocess').click();
      await expect(page.getByTestId('reprocess-confirm')).toBeVisible();
      await check('request detail, reprocess confirmation');

      await page.goto(`/requests/${CONTINUE_REQUEST}`);
      await expect(page.getByTestId('resume-form')).toBeVisible();
      await page.getByTestId('resume-form').getByRole('textbox').first().fill('not a guid');
      await check('resume form with a field error');

      await page.goto('/assignments');
      await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();
      await check('assignments list');

      await page.goto(`/assignments/${DELIVERED_ASSIGNMENT}`);
      await expect(page.getByTestId('assignment-title')).toBeVisible();
      await check('assignment detail');

      await page.goto('/no-such-page');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await check('not found');

      expect(found).toEqual({});
    });

    test('an error page has no serious accessibility violation', async ({ page }) => {
      await openSignedIn(page, '/requests', 'user@');
      await expect(page.getByTestId('graph-error')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
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
