import type { BrowserContext } from '@playwright/test';
import { test, expect, type Page } from './helpers';
import { accessToken, app, everything, openSignedIn, operations, resetSandbox, sandbox, shownIds } from './helpers';

// A deployment whose config.json says `graphVersion: "beta"`, end to end against the
// sandbox in its documented mode: the lists, the start page's counts and the three
// actions, each on beta's own paths and filters. The oracle is the tenant read without
// filters (the same tenant through v1.0), each view's definition applied here, and the
// sandbox's operation log; the filters are checked against beta's documented clauses and
// values, written out from shared/reference/graph-query-support.md and the beta pages
// (assignments: assignmentState eq 'Delivering' | 'Delivered' | 'Expired', target/objectId,
// accessPackage/id; the new requests path: createdDateTime gt and accessPackage/id only).

const DAY = 86_400_000;
const HOUR = 3_600_000;
const same = (a: string, b: string) => a?.toLowerCase() === b?.toLowerCase();
const EM_PATH = 'identityGovernance/entitlementManagement';

// The seeds' example ids (shared/reference/seeds 000, 001 and 003).
const REPROCESS_REQUEST = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';
const CONTINUE_REQUEST = '0e60f18c-b2a0-4887-9da8-da2e30a39d99';
const DELIVERED_ASSIGNMENT = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';

test.beforeEach(async () => {
  await resetSandbox();
});

/**
 * Serves this deployment's config.json with `graphVersion: "beta"`, and returns every Graph
 * URL the page asks from now on (either version, so a v1.0 call would be seen).
 */
async function onBeta(context: BrowserContext, page: Page): Promise<URL[]> {
  const served = await (await page.request.get(`${app}/config.json`)).json();
  expect(served.graphVersion ?? 'v1.0').toBe('v1.0');
  await context.route('**/config.json', (route) => route.fulfill({ json: { ...served, graphVersion: 'beta' } }));
  const calls: URL[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin === sandbox && /^\/(v1\.0|beta)\//.test(u.pathname)) calls.push(u);
  });
  return calls;
}

/** Every call went to beta, and Graph answered none with an error. */
function allOnBeta(calls: URL[]) {
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((u) => !u.pathname.startsWith(`/beta/${EM_PATH}/`) && u.pathname !== '/beta/$batch').map(String)).toEqual([]);
}

/** The `$filter`s sent to the beta list `segment`, split into clauses. */
const clauses = (calls: URL[], segment: string) =>
  calls
    .filter((u) => u.pathname === `/beta/${EM_PATH}/${segment}`)
    .map((u) => u.searchParams.get('$filter'))
    .filter((f): f is string => !!f)
    .flatMap((f) => f.split(' and '));

async function sandboxNow(): Promise<number> {
  return Date.parse((await (await fetch(`${sandbox}/sandbox/clock`)).json()).now);
}

test('beta: every view of both lists shows exactly its rows, asking Graph only the clauses and values beta documents', async ({ page, context }) => {
  test.setTimeout(240_000);
  const calls = await onBeta(context, page);
  const errors: string[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).origin === sandbox && r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await openSignedIn(page, '/requests');
  const token = await accessToken(page);
  const now = await sandboxNow();
  const requests = await everything(token, 'assignmentRequests', 'requestor,accessPackage');
  const assignments = await everything(token, 'assignments', 'target,accessPackage');
  expect(requests.length).toBe(500);

  const failed = (r: any) => ['deliveryFailed', 'partiallyDelivered'].some((s) => same(s, r.state));
  const completedAgo = (r: any) => (r.completedDateTime ? now - Date.parse(r.completedDateTime) : undefined);
  const windowOpen = (r: any) => failed(r) && completedAgo(r) !== undefined && completedAgo(r)! <= 14 * DAY;
  const waitingCallout = (r: any) =>
    same(r.status, 'WaitingForCallback') && (r.customExtensionCalloutInstances ?? []).some((c: any) => same(c.status, 'waitingForCallback'));
  const pkg = requests[0].accessPackage.id;
  const requestViews: [string, (r: any) => boolean][] = [
    ['view=attention', (r) => windowOpen(r) || waitingCallout(r)],
    ['view=failed-old', (r) => failed(r) && completedAgo(r)! > 14 * DAY],
    ['view=recent', (r) => Date.parse(r.createdDateTime) >= now - 7 * DAY],
    ['state=deliveryFailed,partiallyDelivered', failed],
    [`package=${pkg}&state=delivered`, (r) => r.accessPackage.id === pkg && same(r.state, 'delivered')],
  ];
  for (const [query, keep] of requestViews) {
    await page.goto(`/requests?${query}`);
    const expected = requests.filter(keep).map((r) => r.id).sort();
    expect(expected.length, `${query} is not empty in the tenant`).toBeGreaterThan(0);
    expect(await shownIds(page, 'requests'), query).toEqual(expected);
  }
  // The new requests path documents no state filter: createdDateTime and the package only.
  const requestClauses = clauses(calls, 'assignmentRequests');
  expect(requestClauses.length).toBeGreaterThan(0);
  for (const c of requestClauses) expect(c).toMatch(/^(createdDateTime gt [0-9T:.-]+Z|accessPackage\/id eq '[0-9a-f-]{36}')$/);

  const target = assignments.find((a) => a.target?.objectId)!.target.objectId;
  const assignmentViews: [string, (a: any) => boolean][] = [
    ['state=delivered', (a) => same(a.state, 'delivered')],
    ['state=delivered,expired', (a) => same(a.state, 'delivered') || same(a.state, 'expired')],
    // Beta documents no assignmentState value for these: the browser keeps them.
    ['state=deliveryFailed,partiallyDelivered', (a) => same(a.state, 'deliveryFailed') || same(a.state, 'partiallyDelivered')],
    [`target=${target}`, (a) => a.target?.objectId === target],
    [`package=${pkg}&state=delivered`, (a) => a.accessPackage.id === pkg && same(a.state, 'delivered')],
  ];
  for (const [query, keep] of assignmentViews) {
    await page.goto(`/assignments?${query}`);
    const expected = assignments.filter(keep).map((a) => a.id).sort();
    expect(expected.length, `${query} is not empty in the tenant`).toBeGreaterThan(0);
    expect(await shownIds(page, 'assignments'), query).toEqual(expected);
  }
  const assignmentClauses = clauses(calls, 'accessPackageAssignments');
  for (const c of assignmentClauses) {
    expect(c).toMatch(/^(assignmentState eq '(Delivering|Delivered|Expired)'|target\/objectId eq '[0-9a-f-]{36}'|accessPackage\/id eq '[0-9a-f-]{36}')$/);
  }
  // The state went to Graph as beta writes it, where beta documents the value.
  expect(assignmentClauses).toContain("assignmentState eq 'Delivered'");
  expect(assignmentClauses).toContain("assignmentState eq 'Expired'");
  allOnBeta(calls);
  expect(errors).toEqual([]);
});

test('beta: the start page counts every ready-made view as the tenant holds them', async ({ page, context }) => {
  test.setTimeout(180_000);
  const calls = await onBeta(context, page);
  // The app's "now" and the oracle's are the same instant.
  const now = await sandboxNow();
  await page.clock.setFixedTime(now);
  // The start page has no sign-in guard: sign in on a list, then open it.
  await openSignedIn(page, '/requests');
  await expect(page.getByTestId('loaded-count')).toContainText('Loaded:');
  await page.goto(`${app}/`);
  const overview = page.getByTestId('overview');
  await expect(overview).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  const requests = await everything(await accessToken(page), 'assignmentRequests', 'accessPackage');
  const failed = (r: any) => ['deliveryFailed', 'partiallyDelivered'].some((s) => same(r.state, s)) && r.completedDateTime;
  const open = (r: any) => failed(r) && now <= Date.parse(r.completedDateTime) + 14 * DAY;
  const waitingCallout = (r: any) =>
    same(r.status, 'WaitingForCallback') && (r.customExtensionCalloutInstances ?? []).some((c: any) => same(c.status, 'waitingForCallback'));
  const deliveringFor = (r: any) =>
    same(r.state, 'delivering') ? now - Math.max(Date.parse(r.createdDateTime), r.schedule?.startDateTime ? Date.parse(r.schedule.startDateTime) : 0) : -1;
  const expected: Record<string, number> = {
    attention: requests.filter((r) => open(r) || waitingCallout(r)).length,
    waiting: requests.filter((r) => same(r.status, 'WaitingForCallback')).length,
    'failed-old': requests.filter((r) => failed(r) && !open(r)).length,
    stuck: requests.filter((r) => deliveringFor(r) >= 6 * HOUR).length,
    deadline: requests.filter(waitingCallout).length,
  };
  for (const n of Object.values(expected)) expect(n).toBeGreaterThan(0);
  const shown: Record<string, number> = {};
  for (const view of Object.keys(expected)) {
    const cell = page.locator(`[data-testid=overview-counts] tr[data-view="${view}"] td`).first().locator('a');
    shown[view] = Number(await cell.getAttribute('data-value'));
  }
  expect(shown).toEqual(expected);
  for (const c of clauses(calls, 'assignmentRequests')) expect(c).toMatch(/^(createdDateTime gt [0-9T:.-]+Z|accessPackage\/id eq '[0-9a-f-]{36}')$/);
  allOnBeta(calls);
});

test('beta: reprocess a request and an assignment, and resume a request, each on its beta path, followed to its effect', async ({ page, context }) => {
  test.setTimeout(120_000);
  const calls = await onBeta(context, page);
  const actions = async () => (await operations()).filter((o) => o.kind === 'action');

  // Reprocess a failed request: delivering, then at rest.
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  const request = page.locator('[data-action=reprocess]');
  await expect(page.getByTestId('request-state')).toBeVisible();
  await request.getByTestId('reprocess').click();
  await request.getByTestId('reprocess-now').click();
  await expect(request.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(request.getByTestId('followed-state')).toHaveAttribute('data-value', /^delivering$/i, { timeout: 20_000 });
  await expect(request.getByTestId('followed-state')).toHaveAttribute('data-value', /^(delivered|deliveryFailed)$/i, { timeout: 20_000 });
  expect((await actions()).map((o) => [o.version, o.path, o.acted, o.status])).toEqual([
    ['beta', `${EM_PATH}/assignmentRequests/${REPROCESS_REQUEST}/reprocess`, true, 202],
  ]);
  // The request-id shown is the one Graph's answer carried.
  await expect(request.getByTestId('action-request-id')).toHaveText((await actions())[0].requestId);

  // Resume a request waiting for its callback, as the form proposes.
  await page.goto(`/requests/${CONTINUE_REQUEST}`);
  const form = page.getByTestId('resume-form');
  await expect(form.getByRole('combobox', { name: 'Stage' })).toHaveValue('assignmentRequestCreated');
  await form.getByLabel('Source', { exact: true }).fill('Access Desk');
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(form.getByTestId('follow-acted')).toBeVisible({ timeout: 20_000 });
  await expect(form.getByTestId('followed-status')).not.toHaveAttribute('data-value', /^WaitingForCallback$/i);

  // Reprocess a delivered assignment: delivered before and after, delivering in between.
  await page.goto(`/assignments/${DELIVERED_ASSIGNMENT}`);
  const assignment = page.locator('[data-action=reprocess-assignment]');
  await expect(page.getByTestId('assignment-state')).toHaveText('Delivered');
  await assignment.getByTestId('reprocess').click();
  await assignment.getByTestId('reprocess-now').click();
  await expect(assignment.getByTestId('followed-state')).toHaveAttribute('data-value', /^delivering$/i, { timeout: 20_000 });
  await expect(assignment.getByTestId('followed-state')).toHaveAttribute('data-value', /^delivered$/i, { timeout: 20_000 });

  expect((await actions()).map((o) => [o.version, o.path, o.acted, o.status])).toEqual([
    ['beta', `${EM_PATH}/assignmentRequests/${REPROCESS_REQUEST}/reprocess`, true, 202],
    ['beta', `${EM_PATH}/assignmentRequests/${CONTINUE_REQUEST}/resume`, true, 204],
    ['beta', `${EM_PATH}/accessPackageAssignments/${DELIVERED_ASSIGNMENT}/reprocess`, true, 202],
  ]);
  allOnBeta(calls);
  await expect(page.getByTestId('graph-error')).toHaveCount(0);
});
