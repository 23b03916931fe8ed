import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect } from '../tests/helpers';
import type { APIResponse } from '@playwright/test';

// What the Azure Static Web Apps emulator sends for the staticwebapp.config.json that
// `cargo xtask dist` writes, by kind of response. SWA_DIST is the folder it serves. The
// emulator adds headers of its own (an HSTS line, X-XSS-Protection…): the configured ones
// are checked, not the exact set.
const app = process.env.APP_URL!;
const dist = process.env.SWA_DIST!;
const config = JSON.parse(fs.readFileSync(path.join(dist, 'staticwebapp.config.json'), 'utf8'));

// Every header the deployment must send, whatever the file says (so a file that lost one
// fails too), then exactly the file's values.
const security: Record<string, (v: string) => boolean> = {
  'content-security-policy': (v) => v.startsWith("default-src 'none'") && v.includes("frame-ancestors 'none'") && !v.includes('unsafe-inline'),
  'x-frame-options': (v) => v === 'DENY',
  'cross-origin-opener-policy': (v) => v === 'same-origin',
  'permissions-policy': (v) => ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()', 'clipboard-write=(self)'].every((d) => v.split(', ').includes(d)),
  'referrer-policy': (v) => v === 'no-referrer',
  'x-content-type-options': (v) => v === 'nosniff',
};
const configured: [string, string][] = Object.entries(config.globalHeaders as Record<string, string>)
  .map(([k, v]): [string, string] => [k.toLowerCase(), v])
  .filter(([k]) => k !== 'cache-control');

function expectSecurityHeaders(r: APIResponse, what: string) {
  const h = r.headers();
  expect(configured.map(([k]) => k).sort(), 'the headers staticwebapp.config.json sets').toEqual(expect.arrayContaining(Object.keys(security)));
  for (const [name, value] of configured) {
    expect(h[name], `${what}: ${name}`).toBe(value);
  }
  for (const [name, ok] of Object.entries(security)) {
    expect(ok(h[name]), `${what}: ${name}: ${h[name]}`).toBe(true);
  }
}

// The hashed assets of this build.
const files = fs.readdirSync(dist);
const asset = (re: RegExp) => {
  const found = files.filter((f) => re.test(f));
  expect(found).toHaveLength(1);
  return found[0];
};

const get = (request: any, url: string, encoding = 'gzip, deflate, br') =>
  request.get(new URL(url, app).toString(), { headers: { 'accept-encoding': encoding }, maxRedirects: 0 });

test('every kind of response carries every configured security header', async ({ request }) => {
  const kinds: [string, string][] = [
    ['the app (/)', ''],
    ['index.html', 'index.html'],
    ['a filtered view (the navigation fallback)', 'requests?state=deliveryFailed&sort=-created'],
    ['a request (the navigation fallback)', 'requests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b'],
    ['config.json', 'config.json'],
    ['404.html', '404.html'],
    ['a translation', 'lang-fr.json'],
    ['the JS loader', asset(/\.js$/)],
    ['the wasm', asset(/\.wasm$/)],
    ['the CSS', asset(/\.css$/)],
  ];
  for (const [what, url] of kinds) {
    const r = await get(request, url);
    expect(r.status(), what).toBe(200);
    expectSecurityHeaders(r, what);
  }
});

test('a missing asset is a 404, not the page (navigationFallback.exclude)', async ({ request }) => {
  for (const url of ['gone-0123456789abcdef_bg.wasm', 'gone-0123456789abcdef.js', 'gone-0123456789abcdef.css', 'x.wasm.br', 'x.js.gz']) {
    const r = await get(request, url);
    expect(r.status(), url).toBe(404);
    // The emulator's error pages skip globalHeaders (Azure applies them to each response;
    // xtask's swa_e2e unit tests check the file for it). If this fails, the emulator now
    // sends them: check them here like the others.
    expect(r.headers()['content-security-policy'], `${url}: the emulator now sends headers on a 404`).toBeUndefined();
  }
  // A view of the app is the app, wherever it is.
  for (const url of ['requests', 'assignments', 'no-such-page', 'deep/er/path']) {
    const r = await get(request, url);
    expect(r.status(), url).toBe(200);
    expect(r.headers()['content-type'], url).toMatch(/^text\/html/);
    expect((await r.body()).toString(), url).toBe(fs.readFileSync(path.join(dist, 'index.html'), 'utf8'));
  }
});

test('.wasm is application/wasm and each file is sent as it is', async ({ request }) => {
  for (const [re, type] of [
    [/\.wasm$/, /^application\/wasm$/],
    [/\.js$/, /^(application|text)\/javascript\b/],
    [/\.css$/, /^text\/css\b/],
    [/^config\.json$/, /^application\/json\b/],
  ] as const) {
    const file = asset(re);
    const r = await get(request, file, 'identity');
    expect(r.status(), file).toBe(200);
    expect(r.headers()['content-type'], file).toMatch(type);
    expect(Buffer.compare(await r.body(), fs.readFileSync(path.join(dist, file))), `${file} is the file`).toBe(0);
  }
});

test('index.html and config.json are revalidated, hashed assets kept a year', async ({ request }) => {
  for (const url of ['', 'index.html', 'requests', 'requests?state=deliveryFailed', 'config.json', 'lang-fr.json']) {
    expect((await get(request, url)).headers()['cache-control'], url || '/').toBe('no-cache');
  }
  for (const re of [/\.js$/, /\.wasm$/, /\.css$/]) {
    expect((await get(request, asset(re))).headers()['cache-control'], String(re)).toBe('public, max-age=31536000, immutable');
  }
  const config = await get(request, 'config.json');
  expect(JSON.parse((await config.body()).toString()).clientId).toBeTruthy();
});

test('the browser accepts the headers: no Permissions-Policy or CSP complaint on the console', async ({ page }) => {
  const complaints: string[] = [];
  page.on('console', (m) => {
    if (/Permissions-Policy|Content Security Policy|X-Frame-Options/i.test(m.text())) complaints.push(m.text());
  });
  const response = await page.goto('');
  expect(response!.headers()['cross-origin-opener-policy']).toBe('same-origin');
  await expect(page.getByRole('button', { name: /Sign in/ }).first()).toBeVisible();
  expect(complaints).toEqual([]);
});
