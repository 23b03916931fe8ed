import { test, expect, type Page, type Route } from './helpers';

// Sign-in like MSAL.js against entra-sandbox: its real sign-in page, its clock, its errors.
const sandbox = process.env.SANDBOX_URL!;
const tenant = process.env.TENANT_ID!;
const client = process.env.CLIENT_ID!;
const app = process.env.APP_URL!;

async function control(path: string, body: object) {
  const resp = await fetch(`${sandbox}/sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(resp.ok, `sandbox ${path}`).toBeTruthy();
}

test.beforeEach(async () => {
  await control('reset', {});
});

/** Clicks Sign in, picks the account on the sandbox's page, waits to be back in the app. */
async function signIn(page: Page, who: string) {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await pickAccount(page, who);
}

async function pickAccount(page: Page, who: string) {
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  await page.locator(`button[data-account^="${who}"]`).click();
  await page.waitForURL((u) => u.toString().startsWith(app));
}

function accessToken(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i)!;
      if (k.startsWith('access-desk.tokens.')) return JSON.parse(sessionStorage.getItem(k)!).access_token;
    }
    return null;
  });
}

test('the administrator signs in and Graph shows every catalog', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('account-name')).toHaveText('Adele Vance');
  await expect(page.getByTestId('account-username')).toHaveText(/^admin@/);
  await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(4);
  // A hostile catalog name is text, not markup.
  await expect(page.getByTestId('catalogs')).toContainText("<img src=x onerror=alert('catalog')>");
  await expect(page.locator('[data-testid=catalogs] img')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('a catalog-scoped manager sees only their catalog', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'manager@');
  await expect(page.getByTestId('account-name')).toHaveText('Léa Martin');
  await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveText(['Finance · 财务']);
});

test('an account without a role is told which roles are needed, with the request-id', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'user@');
  await expect(page.getByTestId('account-name')).toHaveText('王伟');
  const problem = page.getByTestId('graph-error');
  await expect(problem).toContainText('Access Package Assignment Manager');
  await expect(problem).toContainText('Authorization_RequestDenied');
  await expect(page.getByTestId('request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  // Refused every list too, the overview steps aside: the catalogs' message says it all.
  await expect(page.getByTestId('overview')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('overview')).toBeHidden();
});

test('a personal Microsoft account is refused with the documented reason', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'someone@outlook.com');
  const error = page.getByTestId('sign-in-error');
  await expect(error).toContainText('AADSTS50020');
  await expect(page.getByTestId('sign-in-advice')).toContainText('work or school account');
  await expect(page.getByTestId('trace-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(page.getByTestId('correlation-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // Try again starts a new sign-in.
  await error.getByRole('button', { name: 'Try again' }).click();
  await pickAccount(page, 'admin@');
  await expect(page.getByTestId('account-name')).toHaveText('Adele Vance');
});

test('a bookmarked view opened while signed out is where sign-in ends', async ({ page }) => {
  const view = '/?view=failed&q=%E4%B8%AD%E6%96%87%20%26%20more#row-3';
  await page.goto(view);
  await signIn(page, 'admin@');
  await expect(page.getByTestId('account-name')).toHaveText('Adele Vance');
  expect(page.url()).toBe(`${app}${view}`);
});

/** Every key the app wrote, in each web storage of the page. */
function appKeys(page: Page): Promise<{ session: string[]; local: string[] }> {
  return page.evaluate(() => {
    const keys = (s: Storage) =>
      Array.from({ length: s.length }, (_, i) => s.key(i)!)
        .filter((k) => k.startsWith('access-desk.'))
        .sort();
    return { session: keys(sessionStorage), local: keys(localStorage) };
  });
}

/** Every value of both web storages, joined: what a later visitor of this tab could read. */
const storedText = (page: Page) =>
  page.evaluate(() => [sessionStorage, localStorage].flatMap((s) => Array.from({ length: s.length }, (_, i) => s.getItem(s.key(i)!))).join('\n'));

/**
 * Presses Sign out and waits for the whole round trip: the identity platform's logout
 * endpoint, asked to come back to the app, then the app's page loaded again from the
 * redirect (not the page that was already there).
 */
async function signOut(page: Page) {
  const logout = page.waitForRequest((r) => r.url().startsWith(`${sandbox}/${tenant}/oauth2/v2.0/logout?`));
  const back = page.waitForRequest((r) => r.isNavigationRequest() && r.url() === `${app}/` && !!r.redirectedFrom()?.url().includes('/oauth2/v2.0/logout?'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  const request = await logout;
  expect(request.isNavigationRequest(), 'the page itself goes to the logout endpoint').toBeTruthy();
  expect(new URL(request.url()).searchParams.get('post_logout_redirect_uri')).toBe(`${app}/`);
  const returned = await (await back).response();
  expect(returned?.status()).toBe(200);
  await page.waitForLoadState('load');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('account-name')).toHaveCount(0);
}

test('sign-out goes through the logout endpoint and back, and leaves no entry of the app but the language', async ({ page }) => {
  // Each page of the app notes, as it unloads, the keys it leaves behind.
  await page.addInitScript((appOrigin) => {
    window.addEventListener('pagehide', () => {
      if (location.origin !== appOrigin) return;
      const keys = (s: Storage) =>
        Array.from({ length: s.length }, (_, i) => s.key(i)!)
          .filter((k) => k.startsWith('access-desk.'))
          .sort();
      localStorage.setItem('test.keys-at-leave', JSON.stringify({ session: keys(sessionStorage), local: keys(localStorage) }));
    });
  }, new URL(app).origin);
  // Graph refuses the state filter: the session records that refusal too.
  await control('settings', { refuseFilters: [{ version: 'v1.0', collection: 'assignmentRequests', property: 'state' }] });
  await page.goto('/requests?state=deliveryFailed');
  await page.getByRole('button', { name: 'Sign in to continue' }).click();
  await pickAccount(page, 'admin@');
  await expect(page.getByTestId('filter-fallback')).toBeVisible();
  // The overview counted and kept; English chosen in the picker (remembered).
  await page.goto('/');
  await expect(page.getByTestId('overview')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await page.getByRole('combobox', { name: 'Language' }).selectOption('en');
  const before = await appKeys(page);
  // What sign-out must clear was written: tokens, the overview's counts, the refusals.
  expect(before.session.filter((k) => k.startsWith('access-desk.tokens.'))).toHaveLength(1);
  expect(before.session.filter((k) => k.startsWith('access-desk.overview'))).toHaveLength(1);
  expect(before.session).toContain('access-desk.refused-filters');
  expect(before.local).toEqual(['access-desk.language']);

  await signOut(page);
  // Cleared by the sign-out itself, as the signed-in page left for the logout endpoint,
  // not only by the next page finding no one signed in.
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('test.keys-at-leave')))!)).toEqual({ session: [], local: ['access-desk.language'] });
  expect(await appKeys(page)).toEqual({ session: [], local: ['access-desk.language'] });
  expect(await accessToken(page)).toBeNull();
  // Signed out, the page reads nothing from Graph on its own.
  await expect(page.getByTestId('catalogs')).toHaveCount(0);
});

test('after sign-out, another account signing in in the same tab sees nothing of the first', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'admin@');
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  const adminColumns = await page.locator('[data-testid=overview-counts] thead th').allTextContents();
  const admin = JSON.parse(Buffer.from((await accessToken(page))!.split('.')[1], 'base64url').toString('utf8')).oid;
  expect(await storedText(page)).toContain(admin);

  await signOut(page);
  await signIn(page, 'manager@');
  await expect(page.getByTestId('account-name')).toHaveText('Léa Martin');
  // The manager's own count, one column per access package of their catalog: never the
  // administrator's columns or counts, not even while the manager's count runs.
  const token = (await accessToken(page))!;
  const catalogs = await (await fetch(`${sandbox}/v1.0/identityGovernance/entitlementManagement/catalogs?$expand=accessPackages`, { headers: { authorization: `Bearer ${token}` } })).json();
  const managerColumns = ['View', ...catalogs.value[0].accessPackages.map((p: any) => p.displayName)];
  expect(managerColumns).not.toEqual(adminColumns);
  const headers = page.locator('[data-testid=overview-counts] thead th');
  expect(await headers.allTextContents()).not.toEqual(adminColumns);
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(headers).toHaveText(managerColumns);
  expect(await storedText(page)).not.toContain(admin);
});

for (const mode of ['memory', 'localStorage'] as const) {
  test(`tokens kept in ${mode}: there and nowhere else, ${mode === 'memory' ? 'gone after a reload' : 'kept across reloads and tabs'}, cleared by sign-out`, async ({ page, context }) => {
    const original = await (await page.request.get(`${app}/config.json`)).json();
    await context.route('**/config.json', (route) => route.fulfill({ json: { ...original, tokenStorage: mode } }));
    await page.goto('/');
    await signIn(page, 'admin@');
    await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(4);
    const keys = await appKeys(page);
    const tokenKeys = [...keys.session, ...keys.local].filter((k) => k.startsWith('access-desk.tokens.'));
    if (mode === 'memory') expect(tokenKeys).toEqual([]);
    else {
      expect(keys.local.filter((k) => k.startsWith('access-desk.tokens.'))).toHaveLength(1);
      expect(keys.session.filter((k) => k.startsWith('access-desk.tokens.'))).toEqual([]);
      expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).toContain('refresh_token');
    }
    await page.reload();
    const other = await context.newPage();
    await other.goto('/');
    if (mode === 'memory') {
      // Memory lasts as long as the page: a reload or another tab is signed out.
      for (const p of [page, other]) {
        await expect(p.getByRole('button', { name: 'Sign in' })).toBeVisible();
        await expect(p.getByTestId('account-name')).toHaveCount(0);
      }
      await signIn(page, 'admin@');
    } else {
      for (const p of [page, other]) await expect(p.getByTestId('account-name')).toHaveText('Adele Vance');
      // The other tab done reading: a call it made after the sign-out would find no token
      // and start a sign-in of its own.
      await expect(other.getByTestId('overview')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
      await other.waitForLoadState('networkidle');
    }
    await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(4);
    await signOut(page);
    expect(await appKeys(page)).toEqual({ session: [], local: [] });
    // The other tab, reloaded, is signed out too: no token is left to read.
    await other.reload();
    await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(other.getByTestId('account-name')).toHaveCount(0);
    expect(await appKeys(other)).toEqual({ session: [], local: [] });
  });
}

test('an access token that expires mid-session is renewed silently', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  // The overview done counting and the policies for its deadlines read: no call of this
  // page is left to renew the token, or sign in again, while the clock moves.
  await expect(page.getByTestId('overview')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  const before = await accessToken(page);
  const grants: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/oauth2/v2.0/token')) grants.push(new URLSearchParams(r.postData() ?? '').get('grant_type') ?? '');
  });
  // An hour later for the tenant: Graph refuses the cached token; the app renews it.
  await control('clock', { seconds: 3700 });
  await page.reload();
  await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(4);
  expect(grants).toEqual(['refresh_token']);
  expect(await accessToken(page)).not.toBe(before);
  expect(page.url().startsWith(app)).toBeTruthy();
});

test('an expired refresh token leads to interactive sign-in, back to the same view', async ({ page }) => {
  await page.goto('/?view=x');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  await expect(page.getByTestId('overview')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  // SPA refresh tokens last 24 hours, not sliding.
  await control('clock', { seconds: 25 * 3600 });
  await page.reload();
  await page.waitForURL((u) => u.toString().startsWith(`${sandbox}/${tenant}/oauth2/v2.0/authorize`));
  await pickAccount(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  expect(page.url()).toBe(`${app}/?view=x`);
});

/** The response parameters of a redirect back to the app (response_mode=fragment). */
function response(location: string): URLSearchParams {
  return new URLSearchParams(new URL(location).hash.slice(1));
}

/** Rewrites the sandbox's redirect back to the app after an account is picked. */
async function onReturn(page: Page, rewrite: (location: string) => string) {
  const authorize = (u: URL) => u.origin === sandbox && u.pathname === `/${tenant}/oauth2/v2.0/authorize`;
  await page.route(authorize, async (route: Route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const resp = await route.fetch({ maxRedirects: 0 });
    const location = resp.headers()['location'];
    await route.fulfill({ status: 302, headers: { location: rewrite(location) } });
  });
}

test('the code comes back in the fragment, never reaches the app server, and leaves the address', async ({ page }) => {
  let authorize = '';
  let returned = '';
  page.on('request', (r) => {
    if (r.url().startsWith(`${sandbox}/${tenant}/oauth2/v2.0/authorize?`)) authorize = r.url();
  });
  await onReturn(page, (loc) => (returned = loc));
  const toApp: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(app)) toApp.push(r.url());
  });
  await page.goto('/?view=x#row-3');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  expect(new URL(authorize).searchParams.get('response_mode')).toBe('fragment');
  expect(response(returned).get('code')).toBeTruthy();
  expect(new URL(returned).search).toBe('');
  // Browsers never send a fragment: no query to the static server carried a code or a state.
  expect(toApp.filter((u) => /code=|state=/.test(new URL(u).search))).toEqual([]);
  // The saved view, its own fragment included, is where sign-in ends.
  expect(page.url()).toBe(`${app}/?view=x#row-3`);
});

test('a tampered state is refused and nothing is signed in', async ({ page }) => {
  await onReturn(page, (loc) => {
    const u = new URL(loc);
    const p = response(loc);
    p.set('state', p.get('state')! + 'x');
    u.hash = p.toString();
    return u.toString();
  });
  await page.goto('/');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('sign-in-error-message')).toContainText('does not belong to a sign-in started in this browser tab');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await accessToken(page)).toBeNull();
  expect(page.url()).toBe(`${app}/`);
});

test('a reused authorization response is refused', async ({ page }) => {
  let captured = '';
  await onReturn(page, (loc) => (captured = loc));
  await page.goto('/');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  expect(response(captured).get('code')).toBeTruthy();
  // A new document (a fragment-only change would not load the page again), same tab.
  await page.goto('about:blank');
  await page.goto(captured);
  await expect(page.getByTestId('sign-in-error-message')).toContainText('already used');
  expect(page.url()).toBe(`${app}/`);
});

test("an error response for a sign-in this tab did not start shows none of the sender's text", async ({ page }) => {
  const lure = 'AADSTS50020: Your account is locked. Call +1 555 0100 to unlock it.\r\nTrace ID: 11111111-1111-1111-1111-111111111111';
  const forged = (state: string) =>
    `/?view=x#${new URLSearchParams({ error: 'access_denied', error_description: lure, state }).toString()}`;
  // A state no one started, then one this tab started and used already.
  let captured = '';
  await onReturn(page, (loc) => (captured = loc));
  await page.goto('/');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  for (const state of ['forged-state', response(captured).get('state')!]) {
    await page.goto('about:blank');
    await page.goto(forged(state));
    const error = page.getByTestId('sign-in-error');
    await expect(error).toContainText('does not belong to a sign-in started in this browser tab');
    await expect(error).not.toContainText('555');
    await expect(error).not.toContainText('AADSTS');
    await expect(page.getByTestId('trace-id')).toHaveCount(0);
    await expect(page.getByTestId('sign-in-error-code')).toHaveCount(0);
    expect(page.url()).toBe(`${app}/?view=x`);
  }
});

test('tokens of an earlier build, kept under the client id alone, are dropped unread', async ({ page }) => {
  const legacy = `access-desk.tokens.${client}`;
  await page.goto('/');
  await page.evaluate((key) => {
    const account = { name: 'Old Build', username: 'old@contoso.com', tenant_id: 't', object_id: 'o' };
    const set = { access_token: 'old-token', issued_at: Date.now() / 1000, expires_at: Date.now() / 1000 + 3600, refresh_token: 'old-refresh', account };
    sessionStorage.setItem(key, JSON.stringify(set));
  }, legacy);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('account-name')).toHaveCount(0);
  expect(await page.evaluate((key) => sessionStorage.getItem(key), legacy)).toBeNull();
});

test('a configuration for another tenant on the same origin does not see the signed-in tokens', async ({ page }) => {
  await page.goto('/');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  const original = await (await page.request.get(`${app}/config.json`)).json();
  await page.route('**/config.json', (route) => route.fulfill({ json: { ...original, tenantId: 'organizations' } }));
  await page.reload();
  await expect(page.getByTestId('tenant')).toHaveText('organizations');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.unroute('**/config.json');
  await page.reload();
  await expect(page.getByTestId('account-name')).toHaveText('Adele Vance');
});

test('inside a frame the app offers no button and starts no sign-in, only a link to a tab of its own', async ({ page }) => {
  // A host that can send the policy only as a <meta> cannot forbid framing: take
  // frame-ancestors and X-Frame-Options out of the test server's headers, keep the rest.
  const appUrl = new URL(app);
  await page.route(
    (u) => u.origin === appUrl.origin,
    async (route) => {
      const resp = await route.fetch();
      const headers = { ...resp.headers() };
      headers['content-security-policy'] = (headers['content-security-policy'] ?? '').replace(/;\s*frame-ancestors[^;]*/, '');
      delete headers['x-frame-options'];
      await route.fulfill({ response: resp, headers });
    },
  );
  // A page of another origin (localhost, not 127.0.0.1: both on this machine) frames a
  // view, with a forged sign-in response in its fragment.
  const parent = `http://${appUrl.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}:${appUrl.port}/framing-test`;
  await page.route(parent, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!DOCTYPE html><iframe src="${app}/requests?view=attention#code=forged&state=forged" width="900" height="600"></iframe>`,
    }),
  );
  const toSandbox: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(sandbox)) toSandbox.push(r.url());
  });
  await page.goto(parent);
  const frame = page.frameLocator('iframe');
  await expect(frame.getByTestId('framed')).toContainText('does not run inside another page');
  const link = frame.getByRole('link', { name: 'Open Access Desk in its own tab' });
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener');
  await expect(link).toHaveAttribute('href', `${app}/requests?view=attention`);
  await expect(frame.locator('button, form, input')).toHaveCount(0);
  expect(toSandbox).toEqual([]);
  // The link opens the view in a tab of its own, where the app runs.
  const [tab] = await Promise.all([page.waitForEvent('popup'), link.click()]);
  await expect(tab.getByRole('button', { name: 'Sign in to continue' })).toBeVisible();
  await expect(tab.getByTestId('framed')).toHaveCount(0);
  // A path that starts with two slashes (a root deployment's fallback serves the app
  // there) must not turn the link into a protocol-relative one to another site.
  await page.route(`${parent}-2`, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><iframe src="${app}//evil.example/x" width="900" height="600"></iframe>` }),
  );
  await page.goto(`${parent}-2`);
  const other = page.frameLocator('iframe').getByRole('link', { name: 'Open Access Desk in its own tab' });
  await expect(other).toHaveAttribute('href', `${app}//evil.example/x`);
});

test('tokens stay out of localStorage, the console and every URL of the history', async ({ page }) => {
  const consoleText: string[] = [];
  page.on('console', (m) => consoleText.push(m.text()));
  const appUrls: string[] = [];
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame() && f.url().startsWith(app)) appUrls.push(f.url());
  });
  await page.goto('/?view=1');
  await signIn(page, 'admin@');
  await expect(page.getByTestId('catalogs')).toBeVisible();
  const token = await accessToken(page);
  expect(token).toBeTruthy();
  const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(local).not.toContain(token!);
  expect(local).not.toContain('refresh_token');
  expect(consoleText.join('\n')).not.toContain(token!);
  expect(page.url()).toBe(`${app}/?view=1`);
  // The redirect's code and state were replaced in place: going back leaves the app.
  await page.goBack();
  expect(page.url().startsWith(app) && /[?&#](code|state)=/.test(page.url())).toBeFalsy();
  for (const u of appUrls) expect(u).not.toContain(token!);
});
