import { test, expect, type Page } from './helpers';
import { accessToken, app, openSignedIn, resetSandbox, sandbox, settings } from './helpers';

// Why a request failed, from the Entra audit log as the sandbox keeps it: the trail on a
// request's page, asked for (AuditLog.Read.All, Directory.Read.All) only when first
// opened; an account without an audit-reading role told which roles can read it.

const AUDIT = ['AuditLog.Read.All', 'Directory.Read.All'];

interface Failure {
  requestId: string;
  state: string;
  reprocessable: boolean;
  reason: string;
  retryFailsAgain: boolean;
  resultReason: string;
}

/** Every failed request with the reason the sandbox recorded in its audit log. */
async function failures(): Promise<Failure[]> {
  const r = await fetch(`${sandbox}/sandbox/failures`);
  expect(r.ok).toBeTruthy();
  const body = await r.json();
  return Array.isArray(body) ? body : body.value;
}

/** The permissions in a token's `scp` claim (read, not verified). */
function scp(token: string): string[] {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  return String(payload.scp).split(' ');
}

/** The `scope` of every authorize request the page makes from now on. */
function authorizeScopes(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/oauth2/v2.0/authorize?')) seen.push(new URL(r.url()).searchParams.get('scope') ?? '');
  });
  return seen;
}

/** On a request's page: the trail asks for the audit log's permissions; allow them at
 * Microsoft's page as `who`, and come back to the same page. */
async function allowAuditLog(page: Page, path: string, who = 'admin@') {
  const trail = page.getByTestId('trail');
  await expect(trail.getByTestId('trail-consent-needed')).toBeVisible();
  await expect(trail.getByTestId('trail-consent-needed')).toContainText('AuditLog.Read.All');
  await trail.getByTestId('consent-continue').click();
  await page.waitForURL((u) => u.toString().startsWith(sandbox));
  const scope = new URL(page.url()).searchParams.get('scope') ?? '';
  for (const p of AUDIT) expect(scope).toContain(p);
  expect(scope).not.toContain('EntitlementManagement');
  await page.locator(`button[data-account^="${who}"]`).click();
  await expect(page.getByTestId('consent-permission')).toHaveText(AUDIT);
  await page.getByTestId('consent-accept').click();
  await page.waitForURL((u) => u.toString() === `${app}${path}`);
}

test.beforeEach(async () => {
  await resetSandbox();
});

test('a failed request shows its trail and recorded reason; the audit log is asked for only when the trail opens', async ({ page }) => {
  const scopes = authorizeScopes(page);
  const failed = (await failures()).find((f) => f.retryFailsAgain && f.state === 'deliveryFailed')!;
  expect(failed, 'the seed has a request that fails for a missing resource').toBeTruthy();
  const path = `/requests/${failed.requestId}`;
  await openSignedIn(page, path);
  // Signing in asked for reading entitlement management only.
  expect(scopes.length).toBeGreaterThan(0);
  for (const scope of scopes) for (const p of AUDIT) expect(scope).not.toContain(p);
  for (const p of AUDIT) expect(scp(await accessToken(page))).not.toContain(p);

  await allowAuditLog(page, path);
  const trail = page.getByTestId('trail');
  const events = trail.getByTestId('trail-event');
  await expect(events.first()).toBeVisible();
  // The failure, with the reason Graph recorded, shown as text.
  const failure = trail.locator('[data-testid=trail-event][data-result=failure]').first();
  await expect(failure.locator('td').nth(3)).toHaveText(failed.resultReason);
  // Newest first.
  const times = await events.evaluateAll((rows) => rows.length);
  expect(times).toBeGreaterThan(2);
  await expect(events.last()).toContainText(/requests access package assignment|directly assigns/);
  await expect(trail.getByTestId('trail-request-id')).toHaveText(/[0-9a-f]{8}-[0-9a-f]{4}-/);
});

test('a reprocess shows in the trail as Graph records it, newest first, with who sent it', async ({ page }) => {
  await settings({ actionDelayMs: 0 });
  const failed = (await failures()).find((f) => !f.retryFailsAgain && f.reprocessable && f.state === 'deliveryFailed')!;
  expect(failed, 'the seed has a request whose failure was passing').toBeTruthy();
  const path = `/requests/${failed.requestId}`;
  await openSignedIn(page, path);
  await allowAuditLog(page, path);
  const trail = page.getByTestId('trail');
  await expect(trail.locator('[data-result=failure]').first().locator('td').nth(3)).toHaveText(failed.resultReason);

  const action = page.locator('[data-action=reprocess]');
  await action.getByTestId('reprocess').click();
  await action.getByTestId('reprocess-now').click();
  await expect(action.getByTestId('action-accepted')).toBeVisible();
  await expect(action.getByTestId('followed-state')).toBeVisible();
  // Graph writes the event when its queue runs the reprocess: read the trail again until
  // it is there.
  const events = trail.getByTestId('trail-event');
  const sent = events.filter({ hasText: 'Reprocess access package assignment request' });
  await expect(async () => {
    await page.reload();
    await expect(sent).toHaveCount(1, { timeout: 3_000 });
  }).toPass({ timeout: 20_000 });
  // Newest first: the reprocess the admin sent, above the failure it answers.
  const rows = await events.evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''));
  const reprocess = rows.findIndex((r) => r.includes('Reprocess access package assignment request'));
  const failure = rows.findIndex((r) => r.includes(failed.resultReason));
  expect(rows[reprocess]).toContain('admin@');
  expect(reprocess).toBeLessThan(failure);
});

test('an account without an audit-reading role is told which roles can read the log', async ({ page }) => {
  // A catalog-scoped manager lists one access package of her catalog at a time.
  await openSignedIn(page, '/requests', 'manager@');
  await page.locator('select[name=package]').selectOption({ index: 1 });
  const first = page.locator('table.requests tbody tr[data-id]').first();
  await expect(first).toBeVisible();
  const id = await first.getAttribute('data-id');
  const path = `/requests/${id}`;
  await page.goto(path);
  await allowAuditLog(page, path, 'manager@');
  const noRole = page.getByTestId('trail-no-role');
  await expect(noRole).toBeVisible();
  for (const role of ['Reports Reader', 'Security Reader', 'Security Administrator']) await expect(noRole).toContainText(role);
  await expect(page.getByTestId('graph-error')).toHaveCount(0);
  // The rest of the page works without it.
  await expect(page.getByTestId('request-state')).toBeVisible();
});
