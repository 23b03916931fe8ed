import { test, expect, type Page } from './helpers';
import { openSignedIn, resetSandbox } from './helpers';

// The layout an admin lives in: no page scrolls sideways at a laptop's or a phone's
// width, the table starts above the fold, state and status are never cut, and no load
// asks for a file that is not there (the favicon was a 404 on every page).

const REQUEST = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';
const widths = [
  { width: 1366, height: 800 },
  { width: 390, height: 844 },
];

test.beforeEach(async () => {
  await resetSandbox();
});

/** How far the page scrolls sideways (0 when it does not). */
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const viewport of widths) {
  test(`no page scrolls sideways at ${viewport.width} px, and nothing 404s`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await sideways(page), 'signed out').toBe(0);
    await openSignedIn(page, '/requests?state=deliveryFailed,partiallyDelivered');
    await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();
    expect(await sideways(page), 'requests').toBe(0);
    for (const path of ['/', '/requests?view=stuck', '/requests?view=deadline', `/requests/${REQUEST}`, '/assignments', `/assignments/${REQUEST}`]) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      if (path.includes('view=')) await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();
      if (path === '/') {
        await expect(page.getByTestId('overview')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
        await page.getByTestId('completions').locator('summary').click();
      }
      await page.waitForLoadState('networkidle');
      expect(await sideways(page), path).toBe(0);
    }
    expect(missing).toEqual([]);
  });
}

for (const viewport of widths) {
  test(`the deadline view stays inside the page at ${viewport.width} px when no policy gives a timeout`, async ({ page }) => {
    // Every row then says "14 days assumed" in a note only a screen reader reads: that
    // note must stay inside the table's own scrolling region.
    await page.route('**/assignmentPolicies/**', (route) => route.abort());
    await page.setViewportSize(viewport);
    await openSignedIn(page, '/requests?view=deadline');
    await expect(page.locator('table tbody td.time_left .assumed').first()).toBeAttached();
    expect(await sideways(page)).toBe(0);
  });
}

test('at 1366x800 the table starts above the fold and state and status show whole', async ({ page }) => {
  await page.setViewportSize(widths[0]);
  await openSignedIn(page, '/requests');
  for (const path of ['/requests', '/requests?view=attention', '/assignments']) {
    await page.goto(path);
    const firstRow = page.locator('table tbody tr[data-id]').first();
    await expect(firstRow).toBeVisible();
    const box = (await firstRow.boundingBox())!;
    expect(box.y + box.height, `${path}: first row inside the first screen`).toBeLessThanOrEqual(800);
  }
  await page.goto('/requests?state=partiallyDelivered,deliveryFailed');
  await expect(page.locator('table tbody tr[data-id]').first()).toBeVisible();
  // A cell whose content is wider than its box is cut with an ellipsis.
  const cut = await page.$$eval('table tbody td.state, table tbody td.status', (cells) =>
    cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent),
  );
  expect(cut).toEqual([]);
  // The deadline view's time left carries its warning in words: it wraps, never cut.
  await page.goto('/requests?view=deadline');
  await expect(page.locator('table tbody td.time_left').first()).toBeVisible();
  const cutLeft = await page.$$eval('table tbody td.time_left', (cells) =>
    cells.filter((c) => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1).map((c) => c.textContent),
  );
  expect(cutLeft).toEqual([]);
});

test('the header keeps the name and the tenant on one line at 1366 px', async ({ page }) => {
  await page.setViewportSize(widths[0]);
  await openSignedIn(page, '/requests');
  const header = (await page.locator('header.site-header').boundingBox())!;
  expect(header.height).toBeLessThan(70);
  const brand = (await page.locator('.brand').boundingBox())!;
  expect(brand.height).toBeLessThan(35);
});
