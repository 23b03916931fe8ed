import * as fs from 'node:fs';
import { test, expect, type Page } from './helpers';
import { accessToken, app, everything, openSignedIn, resetSandbox, shownIds } from './helpers';

// Beyond the admin center (#16): CSV export of any view, and the keyboard. The oracle is
// the tenant read from Graph without filters, independently of the app's code.

test.use({ timezoneId: 'UTC' });

test.beforeEach(async () => {
  await resetSandbox();
});

/** Clicks `button`, and reads the file it downloads as RFC 4180 records. */
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
    // A display name is anyone's to choose: one that starts like a formula gets a quote.
    expect(l[1]).toBe(/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);
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
