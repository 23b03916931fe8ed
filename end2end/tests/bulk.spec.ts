import * as fs from 'node:fs';
import { test, expect, type Page } from './helpers';
import { openSignedIn, operations, resetSandbox, sandbox } from './helpers';

// Bulk reprocess through the UI, against a sandbox that throttles, fails at random and
// lets the access token expire mid-run. The oracle is the sandbox's operation log: every
// item Graph acted on once, nothing acted on twice, nothing planned lost, and the app's
// report says what the log says.

/** Answers that say Graph did not act on the item: the app may send it again. */
const NOT_ACTED_ON = [401, 429, 503, 504];

async function sandboxPost(path: string, body: object) {
  const r = await fetch(`${sandbox}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.ok, `${path}: ${await r.text()}`).toBeTruthy();
}

const reprocessLog = async () => (await operations()).filter((o) => o.method === 'POST' && o.action === 'reprocess');

/** The report's CSV as records (the header line checked). */
function records(csv: string): { id: string; item: string; outcome: string; detail: string; requestId: string }[] {
  const lines = csv.split('\r\n').filter((l) => l !== '');
  expect(lines[0]).toBe('id,item,outcome,detail,request_id');
  return lines.slice(1).map((line) => {
    // Ids, outcomes and request-ids never need quoting; only the name and detail may.
    const [id, ...rest] = line.split(',');
    const requestId = rest.pop()!;
    const outcome = rest.find((f) => ['accepted', 'failed', 'skipped'].includes(f))!;
    return { id, item: '', outcome, detail: rest.join(','), requestId };
  });
}

async function loadAll(page: Page) {
  await expect(page.locator('table.requests tbody tr[data-id]').first()).toBeVisible();
  const more = page.getByRole('button', { name: 'Load all' });
  if (await more.isVisible()) {
    await more.click();
    await expect(more).toBeHidden({ timeout: 30_000 });
  }
  await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
}

test.beforeEach(async () => {
  await resetSandbox();
});

test('bulk reprocess through 429s, 503s and an expired token: each item exactly once, the report agrees with the log', async ({ page }) => {
  test.setTimeout(120_000);
  await openSignedIn(page, '/requests?view=attention');
  await loadAll(page);

  // The plan, before anything is sent: eligible and skipped, each with the rules' reason.
  await page.getByTestId('bulk-all').click();
  const confirm = page.getByTestId('bulk-confirm');
  await expect(confirm).toBeVisible();
  const eligible = Number(await confirm.getByTestId('bulk-eligible').textContent());
  const skipped = Number(await confirm.getByTestId('bulk-skipped').textContent());
  expect(eligible).toBeGreaterThanOrEqual(10);
  expect(skipped).toBeGreaterThan(0); // the view also holds requests waiting for a callback
  expect(await reprocessLog()).toEqual([]);

  // From now on Graph throttles (slow enough that the run outlives the token) and fails
  // a fifth of the calls with 503 or 504.
  const rate = Math.max(2, Math.floor(eligible / 8));
  await sandboxPost('/sandbox/settings', { throttle: `${rate}/${rate}`, faultRate: 0.2 });
  await confirm.getByTestId('bulk-start').click();
  await expect(page.getByTestId('bulk-progress')).toBeVisible();
  // The progress bar is named by the counts it shows.
  await expect(page.getByRole('progressbar', { name: /^Done \d+ \/ \d+/ })).toBeVisible();

  // Mid-run, the sandbox's clock moves past the access token's hour: Graph answers 401.
  await expect.poll(async () => (await reprocessLog()).filter((o) => o.outcome === 'accepted').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await sandboxPost('/sandbox/clock', { seconds: 3700 });

  const report = page.getByTestId('bulk-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report).toHaveAccessibleName('Bulk reprocess report (CSV)');
  await expect(page.getByTestId('bulk-counts')).toContainText(`Done ${eligible + skipped} / ${eligible + skipped}`);
  await expect(page.getByTestId('bulk-cancel')).toBeHidden();

  // The downloaded CSV is the report on screen.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bulk-csv').click()]);
  expect(download.suggestedFilename()).toBe('access-desk-reprocess.csv');
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  const unix = (s: string) => s.replace(/\r\n/g, '\n').trim();
  expect(unix(csv)).toBe(unix((await report.textContent())!));
  const rows = records(csv);
  expect(rows).toHaveLength(eligible + skipped);
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);

  const log = await reprocessLog();
  const statuses = new Set(log.map((o) => o.status));
  // The conditions the test is about did happen.
  expect(statuses.has(429), 'throttled').toBeTruthy();
  expect(statuses.has(503) || statuses.has(504), 'faults').toBeTruthy();
  expect(statuses.has(401), 'an expired token').toBeTruthy();

  const planned = new Set(rows.map((r) => r.id));
  for (const o of log) expect(planned.has(o.target), `sent but not planned: ${o.target}`).toBeTruthy();
  for (const row of rows) {
    const entries = log.filter((o) => o.target === row.id);
    const final = entries.filter((o) => !NOT_ACTED_ON.includes(o.status));
    const accepted = entries.filter((o) => o.outcome === 'accepted');
    if (row.outcome === 'skipped') {
      expect(entries, `skipped ${row.id} was sent`).toEqual([]);
      continue;
    }
    // Sent until Graph acted on it, then never again.
    expect(final, `final answers for ${row.id}: ${JSON.stringify(row)} ${JSON.stringify(entries.map((o) => o.status))}`).toHaveLength(1);
    if (row.outcome === 'accepted') {
      expect(accepted).toHaveLength(1);
      expect(row.requestId).toBe(accepted[0].requestId);
    } else {
      expect(accepted, `${row.id} is reported failed`).toEqual([]);
    }
  }
  // Throttling and faults did not cost any item: all eligible ones went through.
  expect(rows.filter((r) => r.outcome === 'accepted')).toHaveLength(eligible);
  expect(rows.filter((r) => r.outcome === 'skipped')).toHaveLength(skipped);
});

test('"all in this view" waits for every page; the selected rows only; cancel sends nothing', async ({ page }) => {
  // 500 requests, 100 a page: the whole view is not loaded yet, so "all" would not be all.
  await openSignedIn(page, '/requests');
  await expect(page.locator('table.requests tbody tr[data-id]').first()).toBeVisible();
  await expect(page.getByTestId('bulk-all')).toBeDisabled();
  await expect(page.getByText('Load all pages first')).toBeVisible();
  await loadAll(page);
  await expect(page.getByTestId('bulk-all')).toBeEnabled();
  await expect(page.getByTestId('bulk-all')).toContainText('(500)');
  await expect(page.getByText('Load all pages first')).toBeHidden();

  await page.goto('/requests?view=attention');
  await loadAll(page);
  const boxes = page.locator('table.requests tbody tr[data-id] input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-selected').click();
  const confirm = page.getByTestId('bulk-confirm');
  const eligible = Number(await confirm.getByTestId('bulk-eligible').textContent());
  const skipped = Number(await confirm.getByTestId('bulk-skipped').textContent());
  expect(eligible + skipped).toBe(2);
  // Cancel: nothing is sent, and the selection stays.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  expect(await reprocessLog()).toEqual([]);
});
