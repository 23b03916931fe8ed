import { test, expect, type Page } from './helpers';
import { accessToken, app, openSignedIn, operations, resetSandbox, sandbox, settings } from './helpers';

// Least privilege against a tenant whose administrator consented to reading only
// (EntitlementManagement.Read.All), as the sandbox models Entra: a Graph token carries
// every permission consented for its user, and a permission nobody consented to is asked
// for on Microsoft's page. The app signs in to read; the first action asks for
// ReadWrite.All, keeps what the admin entered across the trip, and acts with that token.

const REPROCESS_REQUEST = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';
const CONTINUE_REQUEST = '0e60f18c-b2a0-4887-9da8-da2e30a39d99';
const READ = 'EntitlementManagement.Read.All';
const WRITE = 'EntitlementManagement.ReadWrite.All';


test.beforeEach(async () => {
  await resetSandbox();
  await settings({ adminConsent: 'read', actionDelayMs: 0 });
});

/** The permissions in a token's `scp` claim (its payload, read, not verified). */
function scp(token: string): string[] {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  return String(payload.scp).split(' ');
}

/** Actions Graph accepted on `target`, from the sandbox's log. */
const accepted = async (target: string) =>
  (await operations()).filter((o) => o.kind === 'action' && o.target === target && o.outcome === 'accepted');

/** The tokens the page sent to Graph, by method. */
function bearerTokens(page: Page) {
  const sent: { method: string; path: string; token: string }[] = [];
  page.on('request', (r) => {
    const auth = r.headers()['authorization'];
    if (auth?.startsWith('Bearer ') && r.url().startsWith(sandbox)) {
      sent.push({ method: r.method(), path: new URL(r.url()).pathname, token: auth.slice(7) });
    }
  });
  return sent;
}

/** Microsoft's page for the action scopes: the account, then the consent prompt; back at
 * the view the page was on (`path` with its query). */
async function consentAtMicrosoft(page: Page, path: string) {
  // The acting prompt's button (the request's trail may ask for the audit log beside it).
  await page.getByTestId('consent-needed').getByTestId('consent-continue').click();
  await page.waitForURL((u) => u.toString().startsWith(sandbox));
  expect(new URL(page.url()).searchParams.get('scope')).toBe(`https://graph.microsoft.com/${WRITE} openid profile offline_access`);
  await page.locator('button[data-account^="admin@"]').click();
  await expect(page.getByTestId('consent-permission')).toHaveText([WRITE]);
  await page.getByTestId('consent-accept').click();
  await page.waitForURL((u) => u.toString() === `${app}${path}`);
}

test('sign-in reads only; the first reprocess asks Microsoft for ReadWrite.All, keeps its confirmation, and acts with that token', async ({ page }) => {
  const sent = bearerTokens(page);
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  const readToken = await accessToken(page);
  expect(scp(readToken)).toContain(READ);
  expect(scp(readToken)).not.toContain(WRITE);
  // Graph refuses to act on a token that can only read.
  const refused = await fetch(`${sandbox}/v1.0/identityGovernance/entitlementManagement/assignmentRequests/${REPROCESS_REQUEST}/reprocess`, {
    method: 'POST',
    headers: { authorization: `Bearer ${readToken}` },
  });
  expect(refused.status).toBe(403);

  const action = page.locator('[data-action=reprocess]');
  await action.getByTestId('reprocess').click();
  await action.getByTestId('reprocess-now').click();
  await expect(action.getByTestId('consent-needed')).toContainText(WRITE);
  expect(await accepted(REPROCESS_REQUEST)).toEqual([]);
  expect(sent.filter((s) => s.method === 'POST')).toEqual([]);

  await consentAtMicrosoft(page, `/requests/${REPROCESS_REQUEST}`);
  // Back on the same request (a reprocess has nothing typed to keep); nothing sent meanwhile.
  expect(await accepted(REPROCESS_REQUEST)).toEqual([]);
  await action.getByTestId('reprocess').click();
  await action.getByTestId('reprocess-now').click();
  await expect(action.getByTestId('action-accepted')).toBeVisible();
  expect(await accepted(REPROCESS_REQUEST)).toHaveLength(1);
  const posts = sent.filter((s) => s.method === 'POST');
  expect(posts).toHaveLength(1);
  expect(scp(posts[0].token)).toContain(WRITE);
  // Reads after it go on with the reading token, not the one that acts.
  await expect(action.getByTestId('followed-state')).toBeVisible();
  const readsAfter = sent.filter((s) => s.method === 'GET' && sent.indexOf(s) > sent.indexOf(posts[0]));
  expect(readsAfter.length).toBeGreaterThan(0);
  expect(readsAfter.every((s) => s.token !== posts[0].token)).toBeTruthy();
});

test('a resume form is kept across the consent and sent as the admin left it', async ({ page }) => {
  const bodies: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/resume')) bodies.push(r.postData() ?? '');
  });
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const form = page.getByTestId('resume-form');
  await form.getByLabel('Detail').fill('Kept across the consent');
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('consent-needed')).toBeVisible();
  expect(await accepted(CONTINUE_REQUEST)).toEqual([]);
  await consentAtMicrosoft(page, `/requests/${CONTINUE_REQUEST}`);
  await expect(form.getByTestId('draft-restored')).toBeVisible();
  await expect(form.getByLabel('Detail')).toHaveValue('Kept across the consent');
  await expect(form.getByTestId('resume-preview')).toContainText('Kept across the consent');
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('action-accepted')).toBeVisible();
  expect(await accepted(CONTINUE_REQUEST)).toHaveLength(1);
  expect(bodies).toHaveLength(1);
  expect(JSON.parse(bodies[0]).data.customExtensionStageInstanceDetail).toBe('Kept across the consent');
});

test('a bulk plan stopped for the consent comes back as the selection, with nothing sent', async ({ page }) => {
  await openSignedIn(page, '/requests?state=deliveryFailed');
  const rows = page.locator('table.requests tbody tr[data-id]');
  await expect(rows.first()).toBeVisible();
  for (const i of [0, 1]) await rows.nth(i).locator('td.select input').check();
  const bulk = page.getByTestId('bulk');
  await bulk.getByTestId('bulk-selected').click();
  const eligible = Number(await bulk.getByTestId('bulk-eligible').textContent());
  await bulk.getByTestId('bulk-start').click();
  await expect(bulk.getByTestId('consent-needed')).toBeVisible();
  expect((await operations()).filter((o) => o.kind === 'batch' || o.kind === 'action')).toEqual([]);
  await consentAtMicrosoft(page, '/requests?state=deliveryFailed');
  await expect(page.getByTestId('bulk-restored')).toBeVisible();
  await expect(page.getByTestId('selected-count')).toContainText(`${eligible}`);
  expect(eligible).toBeGreaterThan(0);
});

test('a read-only deployment offers no action and says why', async ({ page, context }) => {
  const original = await (await page.request.get(`${app}/config.json`)).json();
  await context.route('**/config.json', (route) => route.fulfill({ json: { ...original, readOnly: true } }));
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  await expect(page.getByTestId('read-only').first()).toContainText('read-only');
  await expect(page.getByTestId('reprocess')).toHaveCount(0);
  await page.goto(`/requests/${CONTINUE_REQUEST}`);
  await expect(page.getByTestId('read-only').first()).toBeVisible();
  await expect(page.getByTestId('resume-form')).toHaveCount(0);
  await page.goto('/requests?state=deliveryFailed');
  await expect(page.locator('table.requests tbody tr[data-id]').first()).toBeVisible();
  await expect(page.getByTestId('bulk')).toHaveCount(0);
  await expect(page.locator('table.requests td.select').first()).toBeHidden();
  expect((await operations()).filter((o) => o.kind === 'batch' || o.kind === 'action')).toEqual([]);
});
