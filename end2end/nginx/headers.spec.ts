import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect } from '../tests/helpers';
import type { APIResponse } from '@playwright/test';

// What nginx sends, by kind of response: every one carries every security header (the
// add_header inheritance trap, deploy/nginx.conf), and the precompressed files are the
// ones sent, by Accept-Encoding. NGINX_DIST is the folder nginx serves.
const app = process.env.APP_URL!;
const dist = process.env.NGINX_DIST!;

const security: Record<string, (v: string) => boolean> = {
  'content-security-policy': (v) => v.startsWith("default-src 'none'") && v.includes("frame-ancestors 'none'") && !v.includes('unsafe-inline'),
  'x-frame-options': (v) => v === 'DENY',
  'cross-origin-opener-policy': (v) => v === 'same-origin',
  'permissions-policy': (v) => ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()', 'clipboard-write=(self)'].every((d) => v.split(', ').includes(d)),
  'referrer-policy': (v) => v === 'no-referrer',
  'x-content-type-options': (v) => v === 'nosniff',
};

function expectSecurityHeaders(r: APIResponse, what: string) {
  const h = r.headers();
  for (const [name, ok] of Object.entries(security)) {
    expect(h[name], `${what}: ${name}`).toBeDefined();
    expect(ok(h[name]), `${what}: ${name}: ${h[name]}`).toBe(true);
  }
}

// The hashed assets of this build, found the way a browser finds them: from the page.
const files = fs.readdirSync(dist);
const asset = (re: RegExp) => {
  const found = files.filter((f) => re.test(f));
  expect(found).toHaveLength(1);
  return found[0];
};
const size = (f: string) => fs.statSync(path.join(dist, f)).size;

const get = (request: any, url: string, encoding: string) =>
  request.get(new URL(url, app).toString(), { headers: { 'accept-encoding': encoding }, maxRedirects: 0 });

test('every kind of response carries every security header', async ({ request }) => {
  const kinds: [string, string, number][] = [
    ['the sub-path without its slash (redirect)', new URL(app).pathname.replace(/\/$/, ''), 301],
    ['index.html', '', 200],
    ['a deep link (the index.html fallback)', 'requests?state=deliveryFailed&sort=-created', 200],
    ['config.json', 'config.json', 200],
    ['404.html', '404.html', 200],
    ['the JS loader', asset(/\.js$/), 200],
    ['the wasm', asset(/\.wasm$/), 200],
    ['the CSS', asset(/\.css$/), 200],
    ['a missing hashed asset', 'gone-0123456789abcdef_bg.wasm', 404],
  ];
  for (const [what, url, status] of kinds) {
    for (const encoding of ['br', 'gzip', 'identity']) {
      const r = await get(request, url, encoding);
      expect(r.status(), `${what} (${encoding})`).toBe(status);
      expectSecurityHeaders(r, `${what} (${encoding})`);
    }
  }
});

test('the precompressed .br and .gz are sent by Accept-Encoding, the file as it is otherwise', async ({ request }) => {
  for (const file of ['index.html', asset(/\.js$/), asset(/\.wasm$/), asset(/\.css$/)]) {
    const original = fs.readFileSync(path.join(dist, file));
    for (const [encoding, sent, ext] of [
      ['br', 'br', '.br'],
      ['gzip', 'gzip', '.gz'],
      ['gzip, deflate, br', 'br', '.br'],
      ['identity', undefined, ''],
    ] as const) {
      const r = await get(request, file, encoding);
      expect(r.status()).toBe(200);
      const h = r.headers();
      expect(h['content-encoding'], `${file}, Accept-Encoding: ${encoding}`).toBe(sent);
      // The bytes on the wire are the file's precompressed copy, not an on-the-fly one.
      expect(Number(h['content-length']), `${file} (${encoding})`).toBe(size(file + ext));
      expect(h['vary'] ?? '', file).toContain('Accept-Encoding');
      // And they decode to the file.
      expect(Buffer.compare(await r.body(), original), `${file} (${encoding}) decodes to the file`).toBe(0);
    }
  }
  expect((await get(request, asset(/\.wasm$/), 'br')).headers()['content-type']).toBe('application/wasm');
});

test('index.html and config.json are revalidated, hashed assets kept, config.json never precompressed', async ({ request }) => {
  expect(files).not.toContain('config.json.gz');
  expect(files).not.toContain('config.json.br');
  for (const url of ['', 'requests', 'config.json']) {
    expect((await get(request, url, 'br')).headers()['cache-control'], url).toBe('no-cache');
  }
  const config = await get(request, 'config.json', 'br');
  expect(config.headers()['content-encoding']).not.toBe('br');
  expect(JSON.parse((await config.body()).toString()).clientId).toBeTruthy();
  for (const re of [/\.js$/, /\.wasm$/, /\.css$/]) {
    expect((await get(request, asset(re), 'gzip')).headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  }
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
