import * as fs from 'node:fs';
import * as path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

// Specs import `test` (and `expect`, `Page`, `Route`) from here instead of @playwright/test.
export { expect };
export type { Page, Route } from '@playwright/test';

/** One Content-Security-Policy violation, as the page reported it. */
export interface CspViolation {
  directive: string;
  blocked: string;
  document: string;
  source: string;
  sample: string;
}

/**
 * `test` with an automatic fixture: every document of every page of the test's browser
 * context (first load, navigations, reloads, popups) reports its `securitypolicyviolation`
 * events through a binding, which the page calls synchronously, so nothing is lost when a
 * page unloads right after. At teardown, any violation fails the test with its details.
 */
export const test = base.extend<{ cspViolations: CspViolation[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const seen: CspViolation[] = [];
      await context.exposeBinding('__accessDeskCspViolation', (_source, v: CspViolation) => {
        seen.push(v);
      });
      await context.addInitScript(() => {
        // Capture phase on the document: the event is dispatched at the element whose
        // load was blocked, or at the document.
        document.addEventListener(
          'securitypolicyviolation',
          (e) => {
            (window as any).__accessDeskCspViolation({
              directive: e.effectiveDirective || e.violatedDirective,
              blocked: e.blockedURI,
              document: e.documentURI,
              source: e.sourceFile ? `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` : '',
              sample: e.sample,
            });
          },
          true,
        );
      });
      await use(seen);
      expect(seen, `Content-Security-Policy violations:\n${JSON.stringify(seen, null, 2)}`).toEqual([]);
    },
    { auto: true },
  ],
});

/** Where `cargo xtask test` started the app and the sandbox. */
export const sandbox = process.env.SANDBOX_URL!;
export const app = process.env.APP_URL!;

/** A fresh tenant for each test: data, clock, settings and operation log. */
export async function resetSandbox(settings: object = {}) {
  const r = await fetch(`${sandbox}/sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(r.ok).toBeTruthy();
}

/** Opens `path` signed out, signs in as `who` from the page's prompt, and waits for it. */
export async function openSignedIn(page: Page, path: string, who = 'admin@') {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in to continue' }).click();
  await page.locator(`button[data-account^="${who}"]`).click();
  await page.waitForURL((u) => u.toString().startsWith(app));
  await expect(page.getByTestId('account-name')).toBeVisible();
}

/**
 * The `$filter` of every list request of `collection` (the last path segment, such as
 * `assignmentRequests`) the page sends from now on, as sent ('' for none): what Graph was
 * asked, not what the page says it asked.
 */
export function sentFilters(page: Page, collection: string): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    for (const u of graphReads(r)) {
      if (u.pathname.includes('/identityGovernance/entitlementManagement/') && u.pathname.endsWith(`/${collection}`)) seen.push(u.searchParams.get('$filter') ?? '');
    }
  });
  return seen;
}

/**
 * The Graph reads a browser request carries: itself when it is a GET, or each GET inside
 * a JSON `$batch` (its `url` is under the version root, read here against the batch's own).
 */
export function graphReads(r: import('@playwright/test').Request): URL[] {
  const u = new URL(r.url());
  if (r.method() === 'GET') return [u];
  if (!u.pathname.endsWith('/$batch')) return [];
  const root = u.href.slice(0, u.href.indexOf('/$batch'));
  return (r.postDataJSON()?.requests ?? [])
    .filter((item: any) => item.method === 'GET')
    .map((item: any) => new URL(root + item.url));
}

/** Each Graph read of a browser response, with the status Graph gave it (see [`graphReads`]). */
export async function graphAnswers(r: import('@playwright/test').Response): Promise<{ url: URL; status: number }[]> {
  const reads = graphReads(r.request());
  if (r.request().method() === 'GET') return reads.map((url) => ({ url, status: r.status() }));
  if (reads.length === 0 || !r.ok()) return [];
  const items: any[] = (await r.json()).responses;
  return reads.map((url, i) => ({ url, status: items.find((x) => x.id === String(i + 1))?.status ?? 0 }));
}

/** The sandbox's operation log: every POST it answered, accepted or refused. */
export async function operations(): Promise<any[]> {
  const r = await fetch(`${sandbox}/sandbox/log`);
  return (await r.json()).value;
}

/** The sandbox's actions on `target` (an id), as its operation log has them. */
export const posts = async (target: string) => (await operations()).filter((o) => o.kind === 'action' && o.target === target);

/** Changes the sandbox's settings through test control (`/sandbox/settings`). */
export const settings = (body: object) =>
  fetch(`${sandbox}/sandbox/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A request as Graph shows it now (read with the page's own token). */
export async function graphRequest(page: Page, id: string): Promise<any> {
  const token = await accessToken(page);
  const r = await fetch(`${sandbox}/${EM}/assignmentRequests/${id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.ok).toBeTruthy();
  return r.json();
}

/** A language file of the app, read from the source (so tests follow the translations). */
export const catalog = (code: string): Record<string, string> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'i18n', `lang-${code}.json`), 'utf8'));

export const EM = 'v1.0/identityGovernance/entitlementManagement';

/** The access token of the signed-in tab (sessionStorage, as the app keeps it). */
export function accessToken(page: Page): Promise<string> {
  return page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i)!;
      if (k.startsWith('access-desk.tokens.')) return JSON.parse(sessionStorage.getItem(k)!).access_token;
    }
    throw new Error('no token');
  });
}

/** Every item of a collection, every page, unfiltered. */
export async function everything(token: string, collection: string, expand: string): Promise<any[]> {
  return readAll(token, `${collection}?$expand=${expand}`);
}

/** Graph's answer to `first` (a path under entitlement management), every page, as `token` may read it. */
export async function readAll(token: string, first: string): Promise<any[]> {
  const out: any[] = [];
  let next: string | undefined = `${sandbox}/${EM}/${first}`;
  while (next) {
    const r: Response = await fetch(next, { headers: { authorization: `Bearer ${token}` } });
    expect(r.ok, await r.clone().text()).toBeTruthy();
    const body: any = await r.json();
    out.push(...body.value);
    next = body['@odata.nextLink'];
  }
  return out;
}

/** The ids of every row the list shows, every page loaded and the windowed table scrolled. */
export async function shownIds(page: Page, table: string): Promise<string[]> {
  const count = page.getByTestId('loaded-count');
  await expect(count).toBeVisible();
  const all = page.getByRole('button', { name: 'Load all', exact: true });
  await expect(page.locator('.loading-inline')).toBeHidden({ timeout: 30_000 });
  if (await all.isVisible()) await all.click();
  await expect(count).toContainText('all loaded', { timeout: 60_000 });
  await expect(page.locator('.loading-inline')).toBeHidden({ timeout: 30_000 });
  const shown = Number((await count.textContent())!.match(/shown: (\d+)/)![1]);
  const ids = new Set<string>();
  const viewport = page.locator('.table-viewport');
  await viewport.evaluate((el) => (el.scrollTop = 0));
  for (let i = 0; i < 400 && ids.size < shown; i++) {
    for (const id of await page.locator(`table.${table} tbody tr[data-id]`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')!))) ids.add(id);
    // Scroll, then let the windowed table redraw (two frames) before reading it again.
    await viewport.evaluate(
      (el) =>
        new Promise((done) => {
          el.scrollTop += Math.max(el.clientHeight - 50, 100);
          requestAnimationFrame(() => requestAnimationFrame(done));
        }),
    );
  }
  expect(ids.size, 'every shown row was seen').toBe(shown);
  return [...ids].sort();
}

