import { test, expect } from './helpers';
import { accessToken, everything, openSignedIn, resetSandbox, sandbox, shownIds } from './helpers';

// Every ready-made view and filter of both lists shows exactly the rows the tenant's data
// says it should, while the app sends Graph only the clauses Microsoft documents (the
// sandbox runs in its default, documented mode and refuses the rest). The oracle is the
// whole tenant read from Graph without any filter, and each view's definition applied here.

const DAY = 86_400_000;

test.beforeEach(async () => {
  await resetSandbox();
});

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const failedStates = ['deliveryFailed', 'partiallyDelivered'];

test('every ready-made view and filter of the requests list shows exactly its rows, asking Graph only what it documents', async ({ page }) => {
  test.setTimeout(240_000);
  const graphFilters: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    const f = u.searchParams.get('$filter');
    if (u.pathname.includes('/assignmentRequests') && f) graphFilters.push(f);
  });
  await openSignedIn(page, '/requests');
  const token = await accessToken(page);
  const now = new Date((await (await fetch(`${sandbox}/sandbox/clock`)).json()).now).getTime();
  const requests = await everything(token, 'assignmentRequests', 'requestor,accessPackage');
  expect(requests.length).toBe(500);

  const completedAgo = (r: any) => (r.completedDateTime ? now - Date.parse(r.completedDateTime) : undefined);
  const failed = (r: any) => failedStates.some((s) => same(s, r.state));
  const windowOpen = (r: any) => failed(r) && completedAgo(r) !== undefined && completedAgo(r)! <= 14 * DAY;
  const waitingCallout = (r: any) =>
    same(r.status, 'WaitingForCallback') && (r.customExtensionCalloutInstances ?? []).some((c: any) => same(c.status, 'waitingForCallback'));
  // The person with the most requests.
  const byPerson = new Map<string, number>();
  for (const r of requests) byPerson.set(r.requestor.objectId, (byPerson.get(r.requestor.objectId) ?? 0) + 1);
  const requestor = [...byPerson.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const pkg = requests[0].accessPackage.id;
  const created = (r: any) => Date.parse(r.createdDateTime);
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
  const after = new Date(now - 20 * DAY).toISOString().slice(0, 10);
  const before = new Date(now - 5 * DAY).toISOString().slice(0, 10);

  const views: [string, (r: any) => boolean][] = [
    ['view=attention', (r) => windowOpen(r) || waitingCallout(r)],
    ['view=waiting', (r) => same(r.status, 'WaitingForCallback')],
    ['view=failed-old', (r) => failed(r) && completedAgo(r) !== undefined && completedAgo(r)! > 14 * DAY],
    ['view=recent', (r) => created(r) >= now - 7 * DAY],
    ['state=deliveryFailed,partiallyDelivered', failed],
    ['status=WaitingForCallback', (r) => same(r.status, 'WaitingForCallback')],
    [`requestor=${requestor}`, (r) => r.requestor?.objectId === requestor],
    [`created_after=${after}&created_before=${before}`, (r) => created(r) >= day(after) && created(r) < day(before)],
    [`package=${pkg}&state=delivered`, (r) => r.accessPackage.id === pkg && same(r.state, 'delivered')],
    ['view=attention&state=deliveryFailed', (r) => windowOpen(r) && same(r.state, 'deliveryFailed')],
  ];
  for (const [query, keep] of views) {
    await page.goto(`/requests?${query}`);
    const expected = requests.filter(keep).map((r) => r.id).sort();
    expect(expected.length, `${query} is not empty in the tenant`).toBeGreaterThan(0);
    expect(await shownIds(page, 'requests'), query).toEqual(expected);
  }
  // Only documented clauses were sent: state eq, createdDateTime gt, accessPackage/id eq,
  // joined with and.
  expect(graphFilters.length).toBeGreaterThan(0);
  for (const f of graphFilters) {
    for (const clause of f.split(' and ')) {
      expect(clause, f).toMatch(/^(state eq '[A-Za-z]+'|createdDateTime gt [0-9T:-]+Z|accessPackage\/id eq '[0-9a-f-]{36}')$/);
    }
  }
});

test('the assignments list shows exactly its rows, asking Graph only what it documents', async ({ page }) => {
  test.setTimeout(120_000);
  const graphFilters: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    const f = u.searchParams.get('$filter');
    if (u.pathname.endsWith('/assignments') && f) graphFilters.push(f);
  });
  await openSignedIn(page, '/assignments');
  const token = await accessToken(page);
  const assignments = await everything(token, 'assignments', 'target,accessPackage');
  const target = assignments.find((a) => a.target?.objectId)!.target.objectId;
  const pkg = assignments[0].accessPackage.id;
  const views: [string, (a: any) => boolean][] = [
    ['state=delivered', (a) => same(a.state, 'delivered')],
    ['state=delivered,expired', (a) => same(a.state, 'delivered') || same(a.state, 'expired')],
    ['status=Delivered', (a) => same(a.status, 'Delivered')],
    [`target=${target}`, (a) => a.target?.objectId === target],
    [`package=${pkg}&state=delivered`, (a) => a.accessPackage.id === pkg && same(a.state, 'delivered')],
  ];
  for (const [query, keep] of views) {
    await page.goto(`/assignments?${query}`);
    const expected = assignments.filter(keep).map((a) => a.id).sort();
    expect(expected.length, `${query} is not empty in the tenant`).toBeGreaterThan(0);
    expect(await shownIds(page, 'assignments'), query).toEqual(expected);
  }
  for (const f of graphFilters) {
    for (const clause of f.split(' and ')) {
      expect(clause, f).toMatch(/^(state eq '[A-Za-z]+'|target\/objectId eq '[0-9a-f-]{36}'|accessPackage\/id eq '[0-9a-f-]{36}')$/);
    }
  }
});

test('when Graph refuses a documented filter, the view asks again without it and says so', async ({ page }) => {
  await openSignedIn(page, '/requests');
  // From now on this tenant refuses state filters on v1.0 requests.
  const r = await fetch(`${sandbox}/sandbox/settings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refuseFilters: [{ version: 'v1.0', collection: 'assignmentRequests', property: 'state' }] }),
  });
  expect(r.ok).toBeTruthy();
  const answers: number[] = [];
  const sent: [number, string][] = [];
  page.on('response', (resp) => {
    if (!resp.url().includes('/assignmentRequests?')) return;
    answers.push(resp.status());
    sent.push([resp.status(), new URL(resp.url()).searchParams.get('$filter') ?? '']);
  });
  const token = await accessToken(page);
  const requests = await everything(token, 'assignmentRequests', 'requestor');
  await page.goto('/requests?state=deliveryFailed');
  const note = page.getByTestId('filter-fallback');
  await expect(note).toBeVisible();
  await expect(note).toContainText('state');
  await expect(page.getByTestId('graph-error')).toHaveCount(0);
  const expected = requests.filter((x) => same(x.state, 'deliveryFailed')).map((x) => x.id).sort();
  expect(await shownIds(page, 'requests')).toEqual(expected);
  // One refusal, then no state filter again for the rest of the session: no loop.
  expect(answers.filter((s) => s === 400)).toHaveLength(1);
  await expect(page.getByTestId('server-filter')).toHaveText(/no \$filter/);
  // What was sent: the state filter once, refused; every page Graph served was unfiltered.
  expect(sent.filter(([, f]) => f !== '')).toEqual([[400, "state eq 'deliveryFailed'"]]);
  expect(sent.filter(([st]) => st === 200).length).toBeGreaterThan(0);
  await page.goto('/requests?state=delivered');
  await expect(page.getByTestId('filter-fallback')).toBeVisible();
  await expect(page.locator('table.requests tbody tr[data-id]').first()).toBeVisible();
  expect(answers.filter((s) => s === 400)).toHaveLength(1);
  expect(sent.filter(([, f]) => f !== '')).toEqual([[400, "state eq 'deliveryFailed'"]]);
});

test('a next-page link that leaves the configured Graph is not followed', async ({ page }) => {
  const leaks: string[] = [];
  await page.route('**/assignmentRequests?*', async (route) => {
    const resp = await route.fetch();
    const body = await resp.json();
    body['@odata.nextLink'] = 'https://evil.example/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$skiptoken=x';
    await route.fulfill({ response: resp, json: body });
  });
  await page.route('https://evil.example/**', (route) => {
    leaks.push(route.request().headers()['authorization'] ?? '(no token)');
    return route.abort();
  });
  await openSignedIn(page, '/requests');
  await expect(page.getByTestId('foreign-link')).toContainText('evil.example');
  await expect(page.getByRole('button', { name: 'Load more' })).toBeHidden();
  expect(leaks).toEqual([]);
});
