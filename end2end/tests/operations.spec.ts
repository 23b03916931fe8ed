import * as fs from 'node:fs';
import { test, expect, type Page } from './helpers';
import { EM, accessToken, app, everything, graphAnswers, graphReads, openSignedIn, readAll, resetSandbox, sandbox, settings, shownIds } from './helpers';

// Beyond the admin center (#16): the stuck and callback-deadline views, CSV export of any
// view, and the keyboard. The oracle is the tenant read from Graph without filters, with
// each definition applied here, independently of the app's code.

const DAY = 86_400_000;
const HOUR = 3_600_000;
const same = (a: string, b: string) => a?.toLowerCase() === b?.toLowerCase();

test.use({ timezoneId: 'UTC' });

test.beforeEach(async () => {
  await resetSandbox();
});

async function sandboxNow(): Promise<number> {
  return new Date((await (await fetch(`${sandbox}/sandbox/clock`)).json()).now).getTime();
}

/** ISO 8601 duration (`P14D`, `PT12H`, `P1DT6H30M`) in milliseconds. */
function isoMs(d: string): number {
  const m = d.match(/^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/)!;
  expect(m, d).toBeTruthy();
  const [, neg, w, dd, h, mi, s] = m.map((x) => (x === undefined ? 0 : x)) as any[];
  const ms = ((Number(w) * 7 + Number(dd)) * 24 * 3600 + Number(h) * 3600 + Number(mi) * 60 + Number(s)) * 1000;
  return neg ? -ms : ms;
}

/** Every custom extension's callback timeout, read the documented way from every package's policies. */
async function timeouts(token: string, packageIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const get = async (url: string) => {
    const r = await fetch(`${sandbox}/${EM}/${url}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.ok, url).toBeTruthy();
    return r.json();
  };
  for (const id of new Set(packageIds)) {
    const pkg = await get(`accessPackages/${id}?$expand=assignmentPolicies`);
    for (const p of pkg.assignmentPolicies) {
      const policy = await get(`assignmentPolicies/${p.id}?$expand=customExtensionStageSettings($expand=customExtension)`);
      for (const s of policy.customExtensionStageSettings ?? []) {
        const d = s.customExtension?.callbackConfiguration?.timeoutDuration;
        if (d) out.set(s.customExtension.id.toLowerCase(), isoMs(d));
      }
    }
  }
  return out;
}

const waitingCallout = (r: any) =>
  same(r.status, 'WaitingForCallback') && (r.customExtensionCalloutInstances ?? []).find((c: any) => same(c.status, 'waitingForCallback'));
const deliveringFor = (r: any, now: number) =>
  same(r.state, 'delivering') ? now - Math.max(Date.parse(r.createdDateTime), r.schedule?.startDateTime ? Date.parse(r.schedule.startDateTime) : 0) : undefined;

/** Time left before a waiting callout times out: exact before approval, a lower bound after. */
function timeLeft(r: any, now: number, known: Map<string, number>): { kind: 'known' | 'atLeast' | 'unknown'; ms: number } {
  const callout = waitingCallout(r);
  const timeout = known.get(callout.customExtensionId.toLowerCase()) ?? 14 * DAY;
  const ms = Date.parse(r.createdDateTime) + timeout - now;
  if (same(r.state, 'submitted') || same(r.state, 'pendingApproval')) return { kind: 'known', ms };
  return ms >= 0 ? { kind: 'atLeast', ms } : { kind: 'unknown', ms: 0 };
}

/** The rows of the table in display order: id and each cell's data-value or text, by column class. */
async function rowsInOrder(page: Page, table: string): Promise<{ id: string; cells: Record<string, string> }[]> {
  const count = page.getByTestId('loaded-count');
  await expect(page.locator('.loading-inline')).toBeHidden({ timeout: 30_000 });
  const all = page.getByRole('button', { name: 'Load all', exact: true });
  if (await all.isVisible()) await all.click();
  await expect(count).toContainText('all loaded', { timeout: 60_000 });
  const shown = Number((await count.textContent())!.match(/shown: (\d+)/)![1]);
  const byIndex = new Map<number, { id: string; cells: Record<string, string> }>();
  const viewport = page.locator('.table-viewport');
  await viewport.evaluate((el) => (el.scrollTop = 0));
  for (let i = 0; i < 200 && byIndex.size < shown; i++) {
    const seen = await page.locator(`table.${table} tbody tr[data-id]`).evaluateAll((trs) =>
      trs.map((tr) => ({
        index: Number(tr.getAttribute('aria-rowindex')),
        id: tr.getAttribute('data-id')!,
        cells: Object.fromEntries(
          [...tr.querySelectorAll('td')].map((td) => [td.className.split(' ')[0], td.getAttribute('data-value') ?? td.textContent ?? '']),
        ),
      })),
    );
    for (const r of seen) byIndex.set(r.index, r);
    const moved = await viewport.evaluate(
      (el) =>
        new Promise<boolean>((done) => {
          const before = el.scrollTop;
          el.scrollTop += Math.max(el.clientHeight - 50, 100);
          requestAnimationFrame(() => requestAnimationFrame(() => done(el.scrollTop !== before)));
        }),
    );
    // At the bottom with rows unseen (a window drawn after the next scroll, on a busy
    // machine): once more from the top.
    if (!moved) await viewport.evaluate((el) => (el.scrollTop = 0));
  }
  expect(byIndex.size, 'every shown row was seen').toBe(shown);
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

test('stuck in delivering: the deliveries older than the threshold, longest first, the threshold kept in the address', async ({ page }) => {
  test.setTimeout(120_000);
  await openSignedIn(page, '/requests?view=stuck');
  const token = await accessToken(page);
  const requests = await everything(token, 'assignmentRequests', 'accessPackage');
  const now = await sandboxNow();
  const stuck = (hours: number) =>
    requests
      .filter((r) => (deliveringFor(r, now) ?? 0) >= hours * HOUR)
      .sort((a, b) => deliveringFor(b, now)! - deliveringFor(a, now)!)
      .map((r) => r.id);
  const rows = await rowsInOrder(page, 'requests');
  expect(stuck(6).length).toBeGreaterThan(2);
  expect(rows.map((r) => r.id)).toEqual(stuck(6));
  // How long each has been delivering, shown and as an ISO duration.
  for (const r of rows) expect(r.cells.delivering).toMatch(/^P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/);
  await expect(page.locator('table.requests tbody tr[data-id]').first().locator('td.delivering')).toHaveText(/\d+ (hours|days)/);

  const hours = page.getByLabel('Stuck after (hours delivering)');
  await hours.fill('48');
  await hours.press('Enter');
  await expect(page).toHaveURL(`${app}/requests?view=stuck&hours=48`);
  expect((await rowsInOrder(page, 'requests')).map((r) => r.id)).toEqual(stuck(48));
  await page.reload();
  await expect(page.getByLabel('Stuck after (hours delivering)')).toHaveValue('48');
});

/**
 * Stops the browser's clock at the sandbox clock's time now, and returns that time: the
 * app's "now" and the test's are then the same instant (the sandbox keeps running, but the
 * tenant's times are fixed at its reset), so times compare exactly, whatever real time it
 * is or how long the test takes (a day boundary included).
 */
async function pinBrowserClock(page: Page): Promise<number> {
  const now = await sandboxNow();
  await page.clock.setFixedTime(now);
  return now;
}

test('callback deadline: waiting requests by time left, the extension timeouts from the policies, under a day marked in words', async ({ page }) => {
  test.setTimeout(120_000);
  const now = await pinBrowserClock(page);
  await openSignedIn(page, '/requests?view=deadline');
  const token = await accessToken(page);
  const requests = await everything(token, 'assignmentRequests', 'accessPackage');
  const waiting = requests.filter(waitingCallout);
  const known = await timeouts(token, waiting.map((r) => r.accessPackage.id));
  expect(new Set(known.values()).size, 'several timeouts in the seeds').toBeGreaterThan(1);
  // The time left of a row, once the policies are in (cells say "at least" or "unknown" after approval).
  await expect(page.getByTestId('deadline-note')).toBeVisible();
  const key = (r: any) => {
    const t = timeLeft(r, now, known);
    return t.kind === 'unknown' ? Number.MAX_SAFE_INTEGER : t.ms;
  };
  const expected = [...waiting].sort((a, b) => key(a) - key(b));
  // By time left, least first; rows with the same key (those whose time left is unknown)
  // keep the order the view's queries returned them in, which need not be the order of
  // the test's own read: compare each row's key, and the rows as a set.
  const byId = new Map(waiting.map((r) => [r.id, r]));
  // The policies are read after the rows: the order settles once their timeouts are in.
  await expect
    .poll(async () => (await rowsInOrder(page, 'requests')).map((r) => key(byId.get(r.id))), { timeout: 20_000 })
    .toEqual(expected.map(key));
  const rows = await rowsInOrder(page, 'requests');
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set(expected.map((r) => r.id)));
  // Row i of the table and row i of the oracle have the same key: check the cells row by row.
  const inTableOrder = rows.map((r) => byId.get(r.id));
  // Each cell's value is the oracle's to the second (the cell is in whole seconds, cut
  // toward zero; both sides count from the same instant).
  for (const [i, r] of inTableOrder.entries()) {
    const t = timeLeft(r, now, known);
    const cell = rows[i].cells.time_left;
    if (t.kind === 'unknown') expect(cell).toBe('');
    else {
      expect(cell.startsWith('>=')).toBe(t.kind === 'atLeast');
      expect(isoMs(cell.replace('>=', '')), `${r.id}: ${cell}`).toBe(Math.trunc(t.ms / 1000) * 1000);
    }
  }
  // The soonest are marked with a sign and words, not colour alone.
  const soon = inTableOrder.find((r) => {
    const t = timeLeft(r, now, known);
    return t.kind === 'known' && t.ms < 24 * HOUR;
  });
  expect(soon, 'the seeds have a callback under a day from its timeout').toBeTruthy();
  const t0 = timeLeft(soon, now, known);
  await page.getByRole('searchbox', { name: 'Search' }).fill(soon.id);
  const cell = page.locator(`table.requests tbody tr[data-id="${soon.id}"] td.time_left`);
  await expect(cell).toContainText('⚠');
  await expect(cell).toContainText(t0.ms < 0 ? 'past the timeout' : 'under 24 hours');
});

async function download(page: Page, button: string): Promise<{ name: string; lines: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()]);
  const text = fs.readFileSync((await file.path())!, 'utf8');
  expect(text.startsWith('\uFEFF'), 'a byte-order mark for Excel').toBeTruthy();
  expect(text.endsWith('\r\n')).toBeTruthy();
  // RFC 4180 fields: quoted ones may hold commas, quotes and line breaks.
  const lines: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  const body = text.slice(1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && body[i + 1] === '\n') { row.push(field); lines.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return { name: file.suggestedFilename(), lines };
}

test('any view exports as CSV: its rows, the chosen columns in table order, raw values, formulas defused', async ({ page }) => {
  test.setTimeout(120_000);
  await openSignedIn(page, '/requests?view=attention&cols=requestor,state,completed,window');
  const token = await accessToken(page);
  const requests = await everything(token, 'assignmentRequests', 'requestor,accessPackage');
  const ids = await shownIds(page, 'requests');
  const { name, lines } = await download(page, 'export-csv');
  expect(name).toMatch(/^access-desk-requests-attention-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(lines[0]).toEqual(['id', 'Requestor', 'State', 'Completed', 'Reprocess window']);
  expect(lines.slice(1).map((l) => l[0]).sort()).toEqual(ids);
  const byId = new Map(requests.map((r) => [r.id, r]));
  for (const l of lines.slice(1)) {
    const r = byId.get(l[0])!;
    expect(l[2], 'the raw state, not its label').toBe(r.state);
    expect(l[3]).toBe(r.completedDateTime ? new Date(r.completedDateTime).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');
    const name = r.requestor?.displayName ?? '';
    // A display name is anyone's to choose: a formula trigger at the start of any cell a
    // spreadsheet could split it into (after ',', ';' or a tab, and spaces) gets a quote
    // mark; nothing else changes.
    expect(l[1].replace(/'(?=[=+\-@\t\r\0])/g, '')).toBe(name);
    for (const cell of l[1].split(/[,;\t]/)) expect(cell.trimStart(), l[1]).not.toMatch(/^[=+\-@]/);
  }
});

test('"load all, then export" downloads every row of the view, and the assignments list exports too', async ({ page }) => {
  test.setTimeout(120_000);
  await openSignedIn(page, '/requests');
  await expect(page.getByTestId('export-all-csv')).toBeVisible();
  const { name, lines } = await download(page, 'export-all-csv');
  expect(name).toMatch(/^access-desk-requests-all-/);
  expect(lines.length - 1).toBe(500);
  expect(new Set(lines.slice(1).map((l) => l[0])).size).toBe(500);
  // The seeds' formula-looking requestor names arrive defused, whole.
  const requestor = lines[0].indexOf('Requestor');
  expect(lines.some((l) => l[requestor] === `'=HYPERLINK("https://evil.example","Open")`)).toBeTruthy();
  expect(lines.some((l) => l[requestor] === `'@SUM(1+1)*cmd|' /C calc'!A0`)).toBeTruthy();
  expect(lines.every((l) => !/^[=+\-@]/.test(l[requestor]))).toBeTruthy();
  await expect(page.getByTestId('loaded-count')).toContainText('all loaded');

  await page.goto('/assignments?state=delivered');
  const ids = await shownIds(page, 'assignments');
  const csv = await download(page, 'export-csv');
  expect(csv.name).toMatch(/^access-desk-assignments-filtered-/);
  expect(csv.lines[0][0]).toBe('id');
  expect(csv.lines.slice(1).map((l) => l[0]).sort()).toEqual(ids);
  const state = csv.lines[0].indexOf('State');
  expect(state).toBeGreaterThan(0);
  expect(new Set(csv.lines.slice(1).map((l) => l[state]))).toEqual(new Set(['delivered']));
});

test('the keyboard: / searches, j and k move, x ticks, Enter opens, ? lists them, none while typing', async ({ page }) => {
  await openSignedIn(page, '/requests?view=attention');
  const rows = page.locator('table.requests tbody tr[data-id]');
  await expect(rows.first()).toBeVisible();
  const focusedRow = () => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-id') ?? null);
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await expect.poll(focusedRow).toBe(ids[0]);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect.poll(focusedRow).toBe(ids[2]);
  await page.keyboard.press('k');
  await expect.poll(focusedRow).toBe(ids[1]);
  await page.keyboard.press('x');
  await expect(rows.nth(1).locator('input[type=checkbox]')).toBeChecked();
  await page.keyboard.press('x');
  await expect(rows.nth(1).locator('input[type=checkbox]')).not.toBeChecked();

  // Moving past the screen scrolls the windowed table.
  for (let i = 0; i < 25; i++) await page.keyboard.press('j');
  // Focus lands once the table has drawn the row (a frame or two after the last key).
  const focusedIndex = () => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('aria-rowindex') ?? null);
  const total = Number((await page.getByTestId('loaded-count').textContent())!.match(/shown: (\d+)/)![1]);
  await expect.poll(focusedIndex).toBe(String(Math.min(26, total - 1) + 2));

  // "/" goes to the search; letters typed there are text, not shortcuts.
  await page.keyboard.press('/');
  const search = page.locator('input[name=q]');
  await expect(search).toBeFocused();
  await page.keyboard.type('jkx');
  await expect(search).toHaveValue('jkx');
  await search.fill('');
  await expect(page).toHaveURL(`${app}/requests?view=attention`);

  // "?" opens the help; Escape closes it.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Next row');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  // Enter opens the focused row.
  await page.keyboard.press('j');
  // The table may scroll first: focus lands on the row a frame or two after the key.
  await expect.poll(focusedRow).not.toBeNull();
  const id = await focusedRow();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${app}/requests/${id}`);
});

/** What each counted view holds, by the views' definitions (the README's), applied here. */
function viewCounts(requests: any[], now: number): Record<string, number> {
  const failed = (r: any) => ['deliveryFailed', 'partiallyDelivered'].some((s) => same(r.state, s)) && r.completedDateTime;
  const open = (r: any) => failed(r) && now <= Date.parse(r.completedDateTime) + 14 * DAY;
  return {
    attention: requests.filter((r) => open(r) || waitingCallout(r)).length,
    waiting: requests.filter((r) => same(r.status, 'WaitingForCallback')).length,
    'failed-old': requests.filter((r) => failed(r) && !open(r)).length,
    stuck: requests.filter((r) => (deliveringFor(r, now) ?? 0) >= 6 * HOUR).length,
    deadline: requests.filter(waitingCallout).length,
  };
}

async function overviewCounts(page: Page, column = 0): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const view of ['attention', 'waiting', 'failed-old', 'stuck', 'deadline']) {
    const v = await page.locator(`[data-testid=overview-counts] tr[data-view="${view}"] td`).nth(column).locator('a').getAttribute('data-value');
    out[view] = Number(v);
  }
  return out;
}

test('the start page counts every ready-made view and the completions per day, as the tenant holds them', async ({ page }) => {
  test.setTimeout(180_000);
  const graphCalls: string[] = [];
  page.on('request', (r) => {
    for (const u of graphReads(r)) if (u.pathname.endsWith('/assignmentRequests')) graphCalls.push(u.href);
  });
  // The same instant for the app and the oracle, so the windows and the days agree.
  const now = await pinBrowserClock(page);
  // The start page has no sign-in guard: sign in on a list, then open it.
  await openSignedIn(page, '/requests');
  // The list's own first page is in: none of its reads is counted as the overview's.
  await expect(page.getByTestId('loaded-count')).toContainText('Loaded: 100');
  graphCalls.length = 0;
  await page.goto(`${app}/`);
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  const token = await accessToken(page);
  const requests = await everything(token, 'assignmentRequests', 'accessPackage');

  const expected = viewCounts(requests, now);
  for (const n of Object.values(expected)) expect(n).toBeGreaterThan(0);
  expect(await overviewCounts(page)).toEqual(expected);
  // Only documented filters went to Graph (never an unfiltered read of the tenant), and
  // each query once: one first page per filter, the rest followed by its nextLink. A
  // query with more than a page is read again per access package, side by side.
  const firstPages = (calls: string[]) =>
    calls
      .map((u) => new URL(u).searchParams)
      .filter((q) => !q.has('$skiptoken'))
      .map((q) => q.get('$filter') ?? '(no $filter)')
      .sort();
  const filters = firstPages(graphCalls);
  expect(filters.length).toBeGreaterThan(1);
  for (const f of filters) expect(f).toMatch(/^state eq '[A-Za-z]+'( and createdDateTime gt [0-9T:.-]+Z)?( and accessPackage\/id eq '[0-9a-f-]{36}')?$/);
  expect(new Set(filters).size, filters.join('\n')).toBe(filters.length);
  const packages = new Set((await readAll(token, 'accessPackages?$select=id')).map((p) => p.id));
  const delivered = filters.filter((f) => f.startsWith("state eq 'delivered' and accessPackage/id eq"));
  expect(delivered.map((f) => f.match(/'([0-9a-f-]{36})'/)![1]).sort()).toEqual([...packages].sort());
  for (const u of graphCalls) expect(filters).toContain(new URL(u).searchParams.get('$filter'));

  // Under a day left: the deadline view's definition, with the policies' timeouts.
  const waiting = requests.filter(waitingCallout);
  const known = await timeouts(token, waiting.map((r) => r.accessPackage.id));
  const soon = waiting.filter((r) => {
    const left = timeLeft(r, now, known);
    return left.kind === 'known' && left.ms < DAY;
  }).length;
  expect(soon).toBeGreaterThan(0);
  await expect(page.getByTestId('overview-under-a-day')).toHaveText(`under 24 hours: ${soon}`);

  // Completions per day (the test's time zone is UTC), by outcome, in the table under the chart.
  const outcomes = ['delivered', 'partiallyDelivered', 'deliveryFailed', 'denied', 'canceled'];
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  const byDay = new Map<string, number[]>();
  for (let d = 0; d < 14; d++) byDay.set(new Date(today - d * DAY).toISOString().slice(0, 10), [0, 0, 0, 0, 0]);
  for (const r of requests) {
    const o = outcomes.findIndex((s) => same(r.state, s));
    const day = r.completedDateTime?.slice(0, 10);
    if (o >= 0 && byDay.has(day)) byDay.get(day)![o]++;
  }
  const total = [...byDay.values()].flat().reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(10);
  await expect(page.getByRole('img', { name: `Requests completed in the last 14 days: ${total.toLocaleString('en')}` })).toBeVisible();
  await page.getByText('Show the numbers as a table').click();
  const table = page.getByTestId('completions-table');
  for (const [day, counts] of byDay) {
    const cells = table.locator(`tr[data-day="${day}"] td`);
    await expect(cells).toHaveText([...counts, counts.reduce((a, b) => a + b, 0)].map(String));
  }

  // Each count opens its view, which shows that many rows.
  const asOf = await page.getByTestId('overview-status').textContent();
  expect(asOf).toMatch(/^As of \d\d:\d\d/);
  await page.locator('tr[data-view="stuck"] td a').click();
  await expect(page).toHaveURL(`${app}/requests?view=stuck`);
  expect((await rowsInOrder(page, 'requests')).length).toBe(expected.stuck);

  // Kept for the tab's session: back on the start page, the same count, no new reads.
  graphCalls.length = 0;
  await page.goto(`${app}/`);
  await expect(overview).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('overview-status')).toHaveText(asOf!);
  expect(graphCalls).toEqual([]);
  // Refresh counts again: the same queries, each once more.
  await page.getByTestId('overview-refresh').click();
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  expect(firstPages(graphCalls)).toEqual(filters);
  expect(await overviewCounts(page)).toEqual(expected);
});

test('the overview counts the same when Graph throttles its pages and fails some, each asked again until answered', async ({ page }) => {
  test.setTimeout(180_000);
  const now = await pinBrowserClock(page);
  await openSignedIn(page, '/requests');
  await expect(page.getByTestId('loaded-count')).toContainText('Loaded: 100');
  // Each page inside a `$batch` is throttled (429, Retry-After) and failed (503/504)
  // alone, as Graph does; some batches fail whole (503). Every item's status is read from
  // the batch answers as they pass.
  const statuses: number[] = [];
  await page.route(/\/\$batch$/, async (route) => {
    const answer = await route.fetch();
    if (answer.ok()) for (const item of (await answer.json()).responses) statuses.push(item.status);
    await route.fulfill({ response: answer });
  });
  const hostile = await settings({ throttle: '5/5', faultRate: 0.1, batchFaultRate: 0.1, faultSeed: 29 });
  expect(hostile.ok, await hostile.text()).toBeTruthy();
  await page.goto(`${app}/`);
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  const calm = await settings({ throttle: null, faultRate: 0, batchFaultRate: 0 });
  expect(calm.ok, await calm.text()).toBeTruthy();
  expect(statuses.filter((s) => s === 429).length, 'throttled pages').toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 503 || s === 504).length, 'failed pages').toBeGreaterThan(0);
  const token = await accessToken(page);
  const requests = await everything(token, 'assignmentRequests', 'accessPackage');
  expect(await overviewCounts(page)).toEqual(viewCounts(requests, now));
});

test('the overview shows its progress, can be stopped, and then says its counts are partial', async ({ page }) => {
  await openSignedIn(page, '/requests');
  // Graph's answers to the count wait until the test lets them go, one by one: the count
  // is certainly running when Stop is pressed, whatever the machine's speed.
  const held: (() => void)[] = [];
  let holding = true;
  let asked = 0;
  await page.route(/\/\$batch$/, async (route) => {
    asked += 1;
    if (holding) await new Promise<void>((go) => held.push(go));
    await route.continue();
  });
  await page.goto(`${app}/`);
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'counting');
  const status = page.getByTestId('overview-status');
  // Let answers through until the progress shows requests read.
  await expect(async () => {
    await expect.poll(() => held.length).toBeGreaterThan(0);
    held.shift()!();
    await expect(status).toHaveText(/^Counting… requests read: [1-9][\d,]*$/, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(overview).toHaveAttribute('data-state', 'counting');
  await page.getByRole('button', { name: 'Stop counting' }).click();
  holding = false;
  for (const go of held.splice(0)) go();
  await expect(overview).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await expect(status).toContainText('the counts are partial');
  // A partial count is not kept: the next visit counts again.
  const kept = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('access-desk.overview')));
  expect(kept).toEqual([]);
  const before = asked;
  await page.goto(`${app}/`);
  await expect(overview).toHaveAttribute('data-state', /counting|ready/);
  await expect.poll(() => asked).toBeGreaterThan(before);
});

test('a catalog-scoped manager gets the overview per access package of their catalog', async ({ page }) => {
  test.setTimeout(180_000);
  await openSignedIn(page, '/requests', 'manager@');
  await page.goto(`${app}/`);
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  const token = await accessToken(page);
  const [catalog] = await readAll(token, 'catalogs?$expand=accessPackages');
  const headers = page.locator('[data-testid=overview-counts] thead th');
  await expect(headers).toHaveText(['View', ...catalog.accessPackages.map((p: any) => p.displayName)]);
  const now = await sandboxNow();
  for (const [i, p] of catalog.accessPackages.entries()) {
    const requests = await readAll(token, `assignmentRequests?$expand=accessPackage&$filter=accessPackage/id eq '${p.id}'`);
    expect(await overviewCounts(page, i)).toEqual(viewCounts(requests, now));
  }
  // A count opens its view narrowed to that package (the manager could not list more).
  const first = catalog.accessPackages[0].id;
  await page.locator('tr[data-view="attention"] td a').first().click();
  await expect(page).toHaveURL(`${app}/requests?view=attention&package=${first}`);
  await expect(page.getByTestId('pick-package')).toBeHidden();
});

test('a manager refused the tenant-wide list with a 400 not about the filter, every list in short pages: the requests list and the overview read it all', async ({ page }) => {
  test.setTimeout(180_000);
  // Graph documents no status for a catalog-scoped caller's unfiltered list: this tenant
  // answers 400 BadRequest (not about a filter) instead of 403. And every list comes in
  // short pages, catalogs and requests included.
  const settings = await fetch(`${sandbox}/sandbox/settings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scopedListRefusal: 400, pageSizes: { catalogs: 1, assignmentRequests: 7, assignmentPolicies: 1, accessPackages: 1 } }),
  });
  expect(settings.ok, await settings.text()).toBeTruthy();
  const answers: { status: number; filter: string | null }[] = [];
  page.on('response', async (r) => {
    for (const { url, status } of await graphAnswers(r)) {
      if (url.pathname.endsWith('/assignmentRequests')) answers.push({ status, filter: url.searchParams.get('$filter') });
    }
  });
  const now = await pinBrowserClock(page);
  await openSignedIn(page, '/requests', 'manager@');
  // The list asks for a package: the 400 is read as the catalog scope, as a 403 is.
  await expect(page.getByTestId('pick-package')).toBeVisible();
  const token = await accessToken(page);
  const [catalog] = await readAll(token, 'catalogs?$expand=accessPackages');
  const packages = catalog.accessPackages.map((p: any) => p.id);
  expect(packages.length).toBeGreaterThan(1);
  const oracle = new Map<string, any[]>();
  for (const id of packages) oracle.set(id, await readAll(token, `assignmentRequests?$expand=accessPackage&$filter=accessPackage/id eq '${id}'`));
  // The package with the most requests: several pages of 7.
  const biggest = [...oracle.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  expect(biggest[1].length).toBeGreaterThan(14);
  await page.getByRole('combobox', { name: 'Access package' }).selectOption(biggest[0]);
  await expect(page).toHaveURL(`${app}/requests?package=${biggest[0]}`);
  expect(await shownIds(page, 'requests')).toEqual(biggest[1].map((r) => r.id).sort());

  await page.goto(`${app}/`);
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  const headers = page.locator('[data-testid=overview-counts] thead th');
  await expect(headers).toHaveText(['View', ...catalog.accessPackages.map((p: any) => p.displayName)]);
  for (const [i, id] of packages.entries()) expect(await overviewCounts(page, i), id).toEqual(viewCounts(oracle.get(id)!, now));
  // Graph did answer 400 to the tenant-wide list, never 403; every other answer was
  // served, each narrowed to one of the manager's packages.
  const unfiltered = answers.filter((a) => !a.filter?.includes('accessPackage/id eq'));
  expect(unfiltered.length).toBeGreaterThan(0);
  expect(new Set(unfiltered.map((a) => a.status))).toEqual(new Set([400]));
  for (const a of answers.filter((x) => x.filter?.includes('accessPackage/id eq'))) {
    expect(a.status, a.filter!).toBe(200);
    expect(packages.some((id: string) => a.filter!.includes(id)), a.filter!).toBeTruthy();
  }
});
