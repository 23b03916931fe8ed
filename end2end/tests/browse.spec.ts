import { test, expect, type Page } from './helpers';
import { EM, accessToken, app, openSignedIn, readAll, resetSandbox, sandbox, sentFilters } from './helpers';

// Browsing requests against entra-sandbox (500 requests by default).
test.beforeEach(async () => {
  await resetSandbox();
});

const rows = (page: Page) => page.locator('table.requests tbody tr[data-id]');
const column = (page: Page, cls: string) => page.locator(`table.requests tbody tr[data-id] td.${cls}`);
/** Graph's own values of a column (cells show labels, with the value as data-value). */
const values = (page: Page, cls: string) => column(page, cls).evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));

test('a bookmarked filtered view survives sign-in and reload, filtered by Graph', async ({ page }) => {
  const view = '/requests?state=deliveryFailed,partiallyDelivered&sort=window';
  const sent = sentFilters(page, 'assignmentRequests');
  await openSignedIn(page, view);
  expect(page.url()).toBe(`${app}${view}`);
  await expect(rows(page).first()).toBeVisible();
  for (const s of await values(page, 'state')) expect(['deliveryFailed', 'partiallyDelivered']).toContain(s);
  for (const s of await column(page, 'state').allTextContents()) expect(['Delivery failed', 'Partially delivered']).toContain(s);
  // One documented query per state (Graph documents no "or"), merged in the browser: what
  // went to Graph, and what the page says went.
  const perState = ["state eq 'deliveryFailed'", "state eq 'partiallyDelivered'"];
  expect(new Set(sent)).toEqual(new Set(perState));
  await expect(page.getByTestId('server-filter').locator('li')).toHaveText(perState);
  await expect(page.getByRole('columnheader', { name: /Reprocess window/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.reload();
  expect(page.url()).toBe(`${app}${view}`);
  await expect(rows(page).first()).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Delivery failed' })).toBeChecked();
});

test('ready-made views, back and forward', async ({ page }) => {
  await openSignedIn(page, '/requests');
  const nav = page.getByRole('navigation', { name: 'Ready-made views' });
  await nav.getByRole('link', { name: 'Waiting for callback' }).click();
  await expect(page).toHaveURL(`${app}/requests?view=waiting`);
  await expect(rows(page).first()).toBeVisible();
  for (const s of await values(page, 'status')) expect(s).toBe('WaitingForCallback');

  await nav.getByRole('link', { name: 'Failed outside the window' }).click();
  await expect(page).toHaveURL(`${app}/requests?view=failed-old`);
  await expect(rows(page).first()).toBeVisible();
  for (const w of await column(page, 'window').allTextContents()) expect(w).toMatch(/^closed /);

  await nav.getByRole('link', { name: 'Needs attention' }).click();
  await expect(rows(page).first()).toBeVisible();
  const attention = await page.locator('table.requests tbody tr[data-id]').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('td.window')!.textContent, tr.querySelector('td.callouts')!.textContent]),
  );
  for (const [win, callouts] of attention) expect(win!.endsWith('left') || callouts!.includes('waiting')).toBeTruthy();

  const sent = sentFilters(page, 'assignmentRequests');
  await nav.getByRole('link', { name: 'Recent' }).click();
  await expect(rows(page).first()).toBeVisible();
  // Seven days back by the sandbox's clock (the browser's is the same here), one second
  // earlier: Graph documents only gt.
  const now = Date.parse((await (await fetch(`${sandbox}/sandbox/clock`)).json()).now);
  expect(sent.length).toBeGreaterThan(0);
  for (const f of sent) {
    const since = f.match(/^createdDateTime gt (\S+Z)$/)?.[1];
    expect(since, f).toBeTruthy();
    expect(Math.abs(Date.parse(since!) - (now - 7 * 86_400_000)), f).toBeLessThan(120_000);
  }

  await page.goBack();
  await expect(page).toHaveURL(`${app}/requests?view=attention`);
  await expect(nav.getByRole('link', { name: 'Needs attention' })).toHaveAttribute('aria-current', 'page');
  await page.goBack();
  await expect(page).toHaveURL(`${app}/requests?view=failed-old`);
  await page.goForward();
  await expect(page).toHaveURL(`${app}/requests?view=attention`);
});

test('typing a search replaces the history entry and filters in the browser', async ({ page }) => {
  const sent = sentFilters(page, 'assignmentRequests');
  await openSignedIn(page, '/requests');
  await expect(rows(page).first()).toBeVisible();
  const before = await page.evaluate(() => history.length);
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially('adele', { delay: 20 });
  await expect(page).toHaveURL(`${app}/requests?q=adele`);
  expect(await page.evaluate(() => history.length)).toBe(before);
  await expect(page.getByTestId('client-filter')).toContainText('adele');
  await expect(page.getByTestId('server-filter')).toHaveText(/no \$filter/);
  // Graph was never asked about the search: no request of the list carried a $filter.
  expect(sent.length).toBeGreaterThan(0);
  expect(new Set(sent)).toEqual(new Set(['']));
});

test('a search still being typed gives way to a link followed at once', async ({ page }) => {
  await openSignedIn(page, '/requests');
  await expect(rows(page).first()).toBeVisible();
  // Typed, and a ready-made view chosen before the address has caught up with the typing.
  await page.getByRole('searchbox', { name: 'Search' }).fill('adele');
  await page.locator('a[data-preset=attention]').click();
  await expect(page).toHaveURL(`${app}/requests?view=attention`);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('');
  // Still so once the typing pause is over: the typed text is not written over the link's.
  await page.waitForTimeout(600);
  await expect(page).toHaveURL(`${app}/requests?view=attention`);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('');
});

test('load all follows every nextLink and can be cancelled', async ({ page }) => {
  await openSignedIn(page, '/requests');
  await expect(page.getByTestId('loaded-count')).toContainText('Loaded: 100');
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(page.getByTestId('loaded-count')).toContainText('Loaded: 200');
  await page.getByRole('button', { name: 'Load all', exact: true }).click();
  await expect(page.getByTestId('loaded-count')).toContainText('Loaded: 500');
  await expect(page.getByTestId('loaded-count')).toContainText('all loaded');
  // Windowed rendering: far fewer rows in the document than loaded.
  expect(await rows(page).count()).toBeLessThan(60);
  await page.locator('.table-viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator('table.requests tbody tr[aria-rowindex="501"]')).toBeAttached();
});

test('hostile display names render as text', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await openSignedIn(page, '/requests?q=script');
  await page.getByRole('button', { name: 'Load all', exact: true }).click();
  await expect(page.getByTestId('loaded-count')).toContainText('all loaded');
  await expect(column(page, 'requestor').filter({ hasText: "<script>alert('xss')</script>" }).first()).toBeVisible();
  await expect(page.locator('table.requests script, table.requests img')).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search' }).fill('onerror');
  await expect(column(page, 'requestor').filter({ hasText: '"><img src=x onerror=alert(1)>' }).first()).toBeVisible();
  expect(dialogs).toEqual([]);
});

test('an account without a role gets 403 explained, with its details to copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openSignedIn(page, '/requests', 'user@');
  const problem = page.getByTestId('graph-error');
  await expect(problem).toContainText('Identity Governance Administrator');
  const requestId = (await problem.getByTestId('request-id').textContent())!;
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  await problem.getByRole('button', { name: 'Copy the error details' }).click();
  await expect(problem.getByTestId('copy-error')).toHaveText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('HTTP 403');
  expect(copied).toContain(`request-id: ${requestId}`);
});

test('a catalog-scoped manager picks an access package first', async ({ page }) => {
  await openSignedIn(page, '/requests', 'manager@');
  await expect(page.getByTestId('pick-package')).toBeVisible();
  const select = page.getByRole('combobox', { name: 'Access package' });
  const first = await select.locator('option').nth(1).getAttribute('value');
  await select.selectOption(first!);
  await expect(page).toHaveURL(`${app}/requests?package=${first}`);
  await expect(rows(page).first()).toBeVisible();
  await expect(page.getByTestId('pick-package')).toBeHidden();
});

test('unknown and malformed parameters are reported, not dropped', async ({ page }) => {
  const sent = sentFilters(page, 'assignmentRequests');
  await openSignedIn(page, '/requests?state=deliveryFailed,exploded&colour=red&package=nope');
  const problems = page.getByTestId('query-problems');
  await expect(problems.getByRole('listitem')).toHaveCount(3);
  await expect(problems).toContainText('exploded');
  await expect(problems).toContainText('colour');
  await expect(page.getByTestId('server-filter')).toHaveText("state eq 'deliveryFailed'");
  // The valid part went to Graph; the malformed parts did not.
  await expect(rows(page).first()).toBeVisible();
  expect(new Set(sent)).toEqual(new Set(["state eq 'deliveryFailed'"]));
});

test('a request detail shows its properties, callouts and which actions apply', async ({ page }) => {
  await openSignedIn(page, '/requests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b');
  await expect(page.getByTestId('request-state')).toHaveText('Delivery failed');
  await expect(page.getByTestId('request-state')).toHaveAttribute('title', 'deliveryFailed');
  await expect(page.getByTestId('request-window')).toHaveText(/^1[12] days left$/);
  await expect(page.locator('[data-action=reprocess]')).toContainText('Applies to this request.');
  await expect(page.locator('[data-action=resume]')).toContainText('not waiting');
});

test('a malformed request id is refused before any Graph call', async ({ page }) => {
  const graphCalls: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/assignmentRequests/')) graphCalls.push(r.url());
  });
  await openSignedIn(page, "/requests/x'%20or%201%20eq%201");
  await expect(page.getByTestId('bad-id')).toBeVisible();
  expect(graphCalls).toEqual([]);
});

test('links move between pages without reloading, and back returns to the same view', async ({ page }) => {
  await openSignedIn(page, '/requests');
  // A marker on window survives only if no link reloads the document.
  await page.evaluate(() => ((window as any).__stillHere = true));
  let documents = 0;
  page.on('request', (r) => {
    if (r.resourceType() === 'document') documents += 1;
  });
  const presets = page.getByRole('navigation', { name: 'Ready-made views' });
  await presets.getByRole('link', { name: 'Needs attention' }).click();
  await expect(page).toHaveURL(`${app}/requests?view=attention`);
  await expect(rows(page).first()).toBeVisible();
  const first = rows(page).first();
  const id = await first.getAttribute('data-id');
  await first.locator('td.requestor a').click();
  await expect(page).toHaveURL(`${app}/requests/${id}`);
  await expect(page.getByTestId('request-state')).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(`${app}/requests?view=attention`);
  await expect(presets.getByRole('link', { name: 'Needs attention' })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('link', { name: 'Access Desk' }).click();
  await expect(page).toHaveURL(`${app}/`);
  await expect(page.getByTestId('catalogs')).toBeVisible();
  const main = page.getByRole('navigation', { name: 'Main' });
  await main.getByRole('link', { name: 'Requests' }).click();
  await expect(page).toHaveURL(`${app}/requests`);
  await expect(rows(page).first()).toBeVisible();
  expect(await page.evaluate(() => (window as any).__stillHere)).toBe(true);
  expect(documents).toBe(0);
  // A new tab is the browser's business: a modified click is not taken over.
  const [popup] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('link', { name: 'Access Desk' }).click({ modifiers: ['ControlOrMeta'] }),
  ]);
  await popup.close();
  await expect(page).toHaveURL(`${app}/requests`);
});

test('the column choice is in the address and survives a reload', async ({ page }) => {
  await openSignedIn(page, '/requests');
  await expect(rows(page).first()).toBeVisible();
  const picker = page.getByTestId('column-picker');
  await picker.locator('summary').click();
  await picker.getByRole('checkbox', { name: 'Callouts' }).uncheck();
  await picker.getByRole('checkbox', { name: 'Type', exact: true }).uncheck();
  await expect(page).toHaveURL(/cols=requestor,package,state,status,created,completed,window$/);
  await expect(page.getByRole('columnheader', { name: 'Type', exact: true })).toHaveCount(0);
  await page.reload();
  await expect(rows(page).first()).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Type', exact: true })).toHaveCount(0);
  // The seven chosen columns, beside the selection box every row has.
  const cells = page.locator('table.requests tbody tr[data-id]').first().locator('td');
  await expect(cells.locator(':scope:not(.select)')).toHaveCount(7);
  await expect(cells.locator(':scope.select input[type=checkbox]')).toHaveCount(1);
});

test('catalogs past Graph\'s first page show on the start page and in the package picker, and name their packages', async ({ page }) => {
  // Two catalogs a page: reading page one only would miss the rest.
  const r = await fetch(`${sandbox}/sandbox/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pageSizes: { catalogs: 2 } }) });
  expect(r.ok).toBeTruthy();
  await openSignedIn(page, '/requests');
  await page.goto('/');
  const token = await accessToken(page);
  const first = await (await fetch(`${sandbox}/${EM}/catalogs?$expand=accessPackages`, { headers: { authorization: `Bearer ${token}` } })).json();
  expect(first['@odata.nextLink'], 'the catalogs come in more than one page').toBeTruthy();
  const catalogs = await readAll(token, 'catalogs?$expand=accessPackages');
  const later = catalogs.filter((c) => !first.value.some((f: any) => f.id === c.id));
  expect(later.filter((c) => c.accessPackages.length > 0).length, 'a later page holds packages').toBeGreaterThan(0);
  await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(catalogs.length);
  for (const c of later) await expect(page.getByTestId('catalogs')).toContainText(c.displayName);
  await page.goto('/requests');
  const options = page.getByRole('combobox', { name: 'Access package' }).locator('option');
  const expected = catalogs.flatMap((c) => c.accessPackages.map((p: any) => `${p.displayName} (${c.displayName})`));
  await expect(options).toHaveCount(expected.length + 1);
  const shown = await options.allTextContents();
  for (const label of expected) expect(shown.map((s) => s.trim())).toContain(label);
});
