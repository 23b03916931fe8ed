// `cargo xtask bench`: the browse page against a sandbox with 50 000 requests.
// Prints one JSON line with the measurements; xtask prints them for README.md.
//
// 1. Opening a bookmarked filtered view, signed in, until the first rows are visible
//    (a full page load each time: wasm start, config, silent token, Graph, render).
// 2. A search typed over 10 000 loaded rows, until the table shows the result.
import { chromium } from '@playwright/test';

const app = process.env.APP_URL;
const runs = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const rows = page.locator('table.requests tbody tr[data-id]');

// Sign in once; the tokens stay in this tab's sessionStorage for the runs.
await page.goto(`${app}/requests`);
await page.getByRole('button', { name: 'Sign in to continue' }).click();
await page.locator('button[data-account^="admin@"]').click();
await rows.first().waitFor();

const bookmark = `${app}/requests?state=deliveryFailed,partiallyDelivered&sort=-created`;
const firstRows = [];
for (let i = 0; i < runs; i++) {
  const t0 = Date.now();
  await page.goto(bookmark);
  await rows.first().waitFor();
  firstRows.push(Date.now() - t0);
}

// Load at least 10 000 rows with "Load all", then cancel.
await page.goto(`${app}/requests`);
await rows.first().waitFor();
const loadStarted = Date.now();
await page.getByRole('button', { name: 'Load all' }).click();
const loadedCount = async () => Number((await page.getByTestId('loaded-count').textContent()).match(/Loaded: (\d+)/)[1]);
while ((await loadedCount()) < 10_000) await page.waitForTimeout(50);
const loadAllMs = Date.now() - loadStarted;
await page.getByRole('button', { name: 'Cancel' }).click();
const loaded = await loadedCount();

// Type a search (the input event the browser fires), then wait until the table has been
// redrawn: two animation frames after the event.
const search = async (q) =>
  page.evaluate(async (q) => {
    const input = document.querySelector('input[name=q]');
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  }, q);
const searchMs = [];
for (let i = 0; i < runs; i++) {
  searchMs.push(await search(i % 2 ? 'smith' : 'ali'));
}
const shown = await rows.count();

console.log(JSON.stringify({
  firstRowsMs: { median: median(firstRows), all: firstRows },
  loadAll: { rows: loaded, ms: loadAllMs },
  searchOverRowsMs: { rows: loaded, median: median(searchMs), all: searchMs.map((x) => Math.round(x)) },
  renderedRowsAfterSearch: shown,
}));
await browser.close();
