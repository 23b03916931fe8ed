// `cargo xtask bench cold`: a cold first visit of a bookmarked filtered view, served by
// nginx with the precompressed assets, against a sandbox with 50 000 requests, in headless
// Chromium under network emulation. Prints one JSON line; xtask prints the table.
//
// Each run: HTTP cache cleared (and bypassed), signed in already (the tokens are in this
// tab's sessionStorage, which survives a navigation), then a full load of the bookmark
// until its first rows are in the table. The split comes from Resource Timing (the
// transfers, config.json, the token endpoint, Graph) and the app's performance marks
// (src/main.rs: access-desk:start, once the wasm is instantiated; src/boot.rs:
// access-desk:config-loaded).
import { chromium } from '@playwright/test';

const app = process.env.APP_URL; // ends with /access-desk/
const runs = Number(process.env.RUNS ?? 7);
const bookmark = `${app}requests?state=deliveryFailed&sort=-created`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Throughput in bytes per second, latency in ms added to each request (DevTools' model);
// `graphMs`: what the sandbox adds to every Graph call on top (a tenant's own time).
const profiles = [
  { name: 'desktop', downMbit: 10, upMbit: 10, rttMs: 40, graphMs: 0 },
  { name: 'constrained', downMbit: 1.6, upMbit: 0.75, rttMs: 150, graphMs: 0 },
  { name: 'desktop, Graph 200 ms', downMbit: 10, upMbit: 10, rttMs: 40, graphMs: 200 },
];
const setGraphLatency = (ms) => fetch(`${process.env.SANDBOX_URL}/sandbox/settings`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ latencyMs: ms }),
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');

// The moment the first row is in the table, in the frame that paints it.
await page.addInitScript(() => {
  const seen = () => document.querySelector('table.requests tbody tr[data-id]');
  const observer = new MutationObserver(() => {
    if (seen()) {
      observer.disconnect();
      requestAnimationFrame(() => (window.__firstRows = performance.now()));
    }
  });
  observer.observe(document, { childList: true, subtree: true });
});

// Sign in once, unthrottled.
await page.goto(bookmark);
await page.getByRole('button', { name: 'Sign in to continue' }).click();
await page.locator('button[data-account^="admin@"]').click();
await page.waitForFunction(() => window.__firstRows !== undefined, null, { timeout: 60_000, polling: 20 });

// Makes the cached access token due for renewal: the next start renews it with the
// refresh token before calling Graph, as after a tab left open past the token's hour.
const expireAccessToken = () =>
  page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i);
      if (!k.startsWith('access-desk.tokens.')) continue;
      const t = JSON.parse(sessionStorage.getItem(k));
      t.issued_at = t.expires_at = Date.now() / 1000 - 10;
      sessionStorage.setItem(k, JSON.stringify(t));
    }
  });

// What Graph sends (its Resource Timing sizes are hidden cross-origin): the last list
// page's body size and encoding.
let graphResponse = null;
page.on('response', async (r) => {
  if (!/\/(v1\.0|beta)\//.test(new URL(r.url()).pathname) || r.request().method() !== 'GET') return;
  try {
    graphResponse = { bytes: (await r.body()).length, encoding: r.headers()['content-encoding'] ?? 'none' };
  } catch {}
});

function kind(url) {
  const path = new URL(url).pathname;
  if (path.endsWith('.wasm')) return 'wasm';
  if (path.endsWith('.js')) return 'js';
  if (path.endsWith('.css')) return 'css';
  if (path.endsWith('/config.json')) return 'config';
  if (path.endsWith('/oauth2/v2.0/token')) return 'token';
  if (/\/(v1\.0|beta)\//.test(path)) return 'graph';
  return 'other';
}

async function coldLoad(renew) {
  await cdp.send('Network.clearBrowserCache');
  if (renew) await expireAccessToken();
  await page.goto(bookmark, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__firstRows !== undefined, null, { timeout: 60_000, polling: 20 });
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      firstRows: window.__firstRows,
      html: { start: 0, end: nav.responseEnd, bytes: nav.transferSize },
      resources: performance.getEntriesByType('resource').map((r) => ({
        name: r.name,
        start: r.startTime,
        end: r.responseEnd,
        bytes: r.transferSize,
      })),
      marks: Object.fromEntries(performance.getEntriesByType('mark').map((x) => [x.name, x.startTime])),
    };
  });
  const before = m.resources.filter((r) => r.end <= m.firstRows);
  const of = (k) => before.filter((r) => kind(r.name) === k);
  const span = (rs) => (rs.length ? Math.max(...rs.map((r) => r.end)) - Math.min(...rs.map((r) => r.start)) : 0);
  const assetsEnd = Math.max(...['js', 'wasm', 'css'].flatMap(of).map((r) => r.end));
  const wasmEnd = Math.max(...of('wasm').map((r) => r.end));
  const start = m.marks['access-desk:start'];
  const configLoaded = m.marks['access-desk:config-loaded'];
  const graph = of('graph');
  const graphEnd = graph.length ? Math.max(...graph.map((r) => r.end)) : configLoaded;
  return {
    firstRows: m.firstRows,
    // The critical path, in order; each from Resource Timing or the app's marks.
    html: m.html.end,
    assets: assetsEnd - m.html.end, // js, wasm and css after the page (in parallel)
    js: span(of('js')),
    wasm: span(of('wasm')),
    css: span(of('css')),
    compile: start - wasmEnd, // what instantiation takes once the wasm has arrived
    config: configLoaded - start,
    token: span(of('token')),
    graph: span(graph),
    render: m.firstRows - graphEnd,
    bytes: {
      html: m.html.bytes,
      js: of('js').reduce((a, r) => a + r.bytes, 0),
      wasm: of('wasm').reduce((a, r) => a + r.bytes, 0),
      css: of('css').reduce((a, r) => a + r.bytes, 0),
    },
    tokenCalls: of('token').length,
    graphCalls: graph.length,
  };
}

const results = [];
for (const p of profiles) {
  await setGraphLatency(p.graphMs);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: p.rttMs,
    downloadThroughput: (p.downMbit * 1e6) / 8,
    uploadThroughput: (p.upMbit * 1e6) / 8,
  });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  for (const renew of [false, true]) {
    await coldLoad(renew); // a warm-up of the machine (not of the cache: it is cleared)
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await coldLoad(renew));
    const med = {};
    for (const k of ['firstRows', 'html', 'assets', 'js', 'wasm', 'css', 'compile', 'config', 'token', 'graph', 'render']) {
      med[k] = Math.round(median(all.map((r) => r[k])));
    }
    results.push({
      profile: p,
      renew,
      runs,
      median: med,
      firstRowsAll: all.map((r) => Math.round(r.firstRows)),
      bytes: all[all.length - 1].bytes,
      tokenCalls: all[all.length - 1].tokenCalls,
      graphCalls: all[all.length - 1].graphCalls,
    });
  }
}
const ua = await page.evaluate(() => navigator.userAgent);
console.log(JSON.stringify({ bookmark, userAgent: ua, graphResponse, results }));
await browser.close();
