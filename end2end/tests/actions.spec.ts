import { test, expect, type Page } from './helpers';
import { app, graphRequest, openSignedIn, operations, posts, resetSandbox, sentFilters, settings } from './helpers';

// The three actions through the UI, checked against the sandbox's operation log.

// The seeds' example ids (shared/reference/seeds 000, 001 and 003).
const REPROCESS_REQUEST = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';
const CONTINUE_REQUEST = '0e60f18c-b2a0-4887-9da8-da2e30a39d99';
const DENY_REQUEST = '9e60f18c-b2a0-4887-9da8-da2e30a39d99';
const DELIVERED_ASSIGNMENT = 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b';

// Seed 001, example 1 (continue), verbatim.
const SEED_CONTINUE = {
  source: 'Contoso.SodCheckProcess',
  type: 'microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated',
  data: {
    '@odata.type': 'microsoft.graph.accessPackageAssignmentRequestCallbackData',
    stage: 'assignmentRequestCreated',
    customExtensionStageInstanceId: '957d0c50-466b-4840-bb5b-c92cea7141ff',
    customExtensionStageInstanceDetail: 'This user is all verified',
  },
};
// Seed 001, example 2 (deny), verbatim: its data.stage is PascalCase, the same enum member.
const SEED_DENY = {
  source: 'Contoso.SodCheckProcess',
  type: 'microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated',
  data: {
    '@odata.type': 'microsoft.graph.accessPackageAssignmentRequestCallbackData',
    stage: 'AssignmentRequestCreated',
    customExtensionStageInstanceId: '857d0c50-466b-4840-bb5b-c92cea7141ff',
    state: 'denied',
    customExtensionStageInstanceDetail: 'Potential risk user based on the SOD check',
  },
};

test.beforeEach(async () => {
  await resetSandbox();
});




test('reprocess a failed request: confirm, one send, Graph queues it, the page follows it to its end', async ({ page }) => {
  // Graph runs the reprocess 2.5 to 7.5 s after its 202 (the sandbox's 5 s delay, with
  // jitter), then delivers it in 3 s.
  await settings({ actionDelayMs: 5_000 });
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  const before = await graphRequest(page, REPROCESS_REQUEST);
  expect(before.state).toBe('deliveryFailed');
  const action = page.locator('[data-action=reprocess]');
  await expect(action.getByTestId('reprocess-applies')).toBeVisible();
  await action.getByTestId('reprocess').click();
  await expect(action.getByTestId('reprocess-confirm')).toContainText('try again to deliver');
  expect(await posts(REPROCESS_REQUEST)).toEqual([]);
  await action.getByTestId('reprocess-now').click();
  const requestId = action.getByTestId('action-request-id');
  await expect(requestId).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(action.getByTestId('action-accepted')).toContainText('queued');
  // The button is gone once sent: nothing can send it twice.
  await expect(action.getByTestId('reprocess-now')).toHaveCount(0);
  await expect(action.getByTestId('reprocess')).toHaveCount(0);
  // Until Graph's queue runs, the page shows the request as it was, and does not call
  // that an outcome.
  await expect(action.getByTestId('followed-state')).toHaveAttribute('data-value', 'deliveryFailed');
  await expect(action.getByTestId('follow-acted')).toBeHidden();
  // Then it moves: delivering, then at rest with a new completion time.
  await expect(action.getByTestId('followed-state')).toHaveAttribute('data-value', 'delivering', { timeout: 15_000 });
  await expect(action.getByTestId('follow-acted')).toBeVisible();
  await expect(action.getByTestId('followed-state')).toHaveAttribute('data-value', /^(delivered|deliveryFailed)$/, { timeout: 15_000 });
  const after = await graphRequest(page, REPROCESS_REQUEST);
  expect(Date.parse(after.completedDateTime)).toBeGreaterThan(Date.parse(before.completedDateTime));
  await expect(action.getByTestId('followed-state')).toHaveAttribute('data-value', after.state);
  const log = await posts(REPROCESS_REQUEST);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ action: 'reprocess', outcome: 'accepted', version: 'v1.0', requestId: await requestId.textContent() });
});

test('refusals are explained before anything is sent', async ({ page }) => {
  await openSignedIn(page, '/requests?view=failed-old');
  const row = page.locator('table.requests tbody tr[data-id]').first();
  const id = (await row.getAttribute('data-id'))!;
  await row.locator('td.requestor a').click();
  await expect(page.getByTestId('reprocess-why-not')).toHaveText(/more than 14 days ago/);
  await expect(page.getByTestId('reprocess')).toHaveCount(0);
  await expect(page.getByTestId('resume-why-not')).toHaveText('The request is not waiting for a custom extension callback.');
  await page.goto(`/assignments/${DELIVERED_ASSIGNMENT}`);
  await expect(page.getByTestId('assignment-state')).toHaveText('Delivered');
  await expect(page.getByTestId('assignment-state')).toHaveAttribute('title', 'delivered');
  expect(await posts(id)).toEqual([]);
});

/** Fills the resume form as the seed example says, and checks the preview is that body. */
async function fillResume(page: Page, seed: typeof SEED_CONTINUE & { data: any }, deny: boolean) {
  const form = page.getByTestId('resume-form');
  await expect(form.getByLabel('Custom extension stage instance id')).toHaveValue(seed.data.customExtensionStageInstanceId);
  // Pinned by the package's policies, or else the only stage a submitted request can be
  // waiting at: either way the form knows it, and says which.
  await expect(form.getByTestId('stage-hint')).toHaveText(/Read from the assignment policy|a request in the Submitted \(submitted\) state can only be waiting at assignmentRequestCreated/);
  await expect(form.getByRole('combobox', { name: 'Stage' })).toHaveValue('assignmentRequestCreated');
  await form.getByLabel('Source', { exact: true }).fill(seed.source);
  await form.getByLabel('Detail').fill(seed.data.customExtensionStageInstanceDetail);
  if (deny) await form.getByRole('radio', { name: 'Deny' }).check();
  const preview = JSON.parse((await form.getByTestId('resume-preview').textContent())!);
  return { form, preview };
}

test('resume with continue: the form reproduces the seed example and sends it once', async ({ page }) => {
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const { form, preview } = await fillResume(page, SEED_CONTINUE, false);
  expect(preview).toEqual(SEED_CONTINUE);
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  // Graph queues the resume: the page follows until a read shows the callout answered.
  await expect(form.getByTestId('follow-acted')).toBeVisible({ timeout: 20_000 });
  await expect(form.getByTestId('followed-status')).not.toHaveAttribute('data-value', /^WaitingForCallback$/i);
  const log = await posts(CONTINUE_REQUEST);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ action: 'resume', outcome: 'accepted' });
});

test('resume with deny: the seed example, after a confirmation', async ({ page }) => {
  await openSignedIn(page, `/requests/${DENY_REQUEST}`);
  const { form, preview } = await fillResume(page, SEED_DENY, true);
  // The same body as the seed's; the app writes the stage in its canonical camelCase.
  expect({ ...preview, data: { ...preview.data, stage: preview.data.stage.toLowerCase() } }).toEqual({
    ...SEED_DENY,
    data: { ...SEED_DENY.data, stage: SEED_DENY.data.stage.toLowerCase() },
  });
  expect(preview.data.stage).toBe('assignmentRequestCreated');
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('deny-confirm')).toContainText('does not get the access package');
  expect(await posts(DENY_REQUEST)).toEqual([]);
  await form.getByTestId('deny-now').click();
  await expect(form.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(form.getByTestId('follow-acted')).toBeVisible({ timeout: 20_000 });
  await expect(form.getByTestId('followed-state')).toHaveAttribute('data-value', /^denied$/i);
  const log = await posts(DENY_REQUEST);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ action: 'resume', outcome: 'accepted' });
});

test('every field error shows next to its field and nothing is sent', async ({ page }) => {
  // Any resume the page would send, from here to the end of the test, is seen here.
  const resumes: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/resume')) resumes.push(r.url());
  });
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const form = page.getByTestId('resume-form');
  const send = form.getByTestId('resume-send');
  await expect(send).toBeEnabled();
  await form.getByLabel('Source', { exact: true }).fill('   ');
  await expect(form.getByTestId('error-source')).not.toBeEmpty();
  await form.getByLabel('Custom extension stage instance id').fill("957d0c50' or 1 eq 1");
  await expect(form.getByTestId('error-instance')).toHaveText('The custom extension stage instance id must be a GUID.');
  await form.getByLabel('Custom extension stage instance id').fill('00000000-0000-0000-0000-000000000000');
  // Another instance id is not refused (the documents never say the ids are the same),
  // but warned about.
  await expect(form.getByTestId('error-instance')).toBeEmpty();
  await expect(form.getByTestId('warn-instance')).toContainText('957d0c50-466b-4840-bb5b-c92cea7141ff');
  await form.getByRole('combobox', { name: 'Stage' }).selectOption('assignmentRequestGranted');
  await form.getByRole('radio', { name: 'Deny' }).check();
  // Refused by the policy's stage or by the request's state, and deny at granted: both.
  await expect(form.getByTestId('error-stage')).toContainText('assignmentRequestCreated');
  await expect(form.getByTestId('error-stage')).toContainText('assignmentRequestGranted');
  await expect(send).toBeDisabled();
  // The disabled button is not the guard: submit the form anyway (as Enter would with an
  // enabled button). A send starts in the submit handler itself, so once the page has
  // drawn twice since, a request it made would have been seen.
  await form.evaluate((f: HTMLFormElement) => f.requestSubmit());
  await form.getByLabel('Source', { exact: true }).press('Enter');
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await expect(form.getByTestId('deny-confirm')).toHaveCount(0);
  await expect(form.getByRole('button', { name: 'Sending…' })).toHaveCount(0);
  // Fix the fields: the same form now sends, so the watch above does see a resume.
  await form.getByRole('radio', { name: 'Continue' }).check();
  await form.getByRole('combobox', { name: 'Stage' }).selectOption('assignmentRequestCreated');
  await form.getByLabel('Source', { exact: true }).fill('Access Desk');
  await form.getByLabel('Custom extension stage instance id').fill('957d0c50-466b-4840-bb5b-c92cea7141ff');
  expect(resumes, 'nothing was sent while the form was refused').toEqual([]);
  expect(await posts(CONTINUE_REQUEST)).toEqual([]);
  await send.click();
  await expect(form.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  expect(resumes).toHaveLength(1);
});

test('deny sends the body its confirmation showed; an edit meanwhile cancels the confirmation', async ({ page }) => {
  await openSignedIn(page, `/requests/${DENY_REQUEST}`);
  const form = page.getByTestId('resume-form');
  const bodies: any[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/resume')) bodies.push(JSON.parse(r.postData()!));
  });
  await form.getByRole('radio', { name: 'Deny' }).check();
  await form.getByLabel('Detail').fill('Potential risk user based on the SOD check');
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('deny-confirm')).toBeVisible();
  // Switching to Continue while the deny confirmation is shown cancels it: "Deny now" is
  // gone, and nothing was sent.
  await form.getByRole('radio', { name: 'Continue' }).check();
  await expect(form.getByTestId('deny-confirm')).toHaveCount(0);
  await expect(form.getByTestId('deny-now')).toHaveCount(0);
  // So does typing.
  await form.getByRole('radio', { name: 'Deny' }).check();
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('deny-confirm')).toBeVisible();
  await form.getByLabel('Detail').fill('changed my mind');
  await expect(form.getByTestId('deny-confirm')).toHaveCount(0);
  expect(await posts(DENY_REQUEST)).toEqual([]);
  // Confirmed again: what goes is exactly what the confirmation showed.
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('deny-confirm')).toBeVisible();
  const confirmed = JSON.parse((await form.getByTestId('resume-preview').textContent())!);
  await form.getByTestId('deny-now').click();
  await expect(form.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  expect(bodies).toEqual([confirmed]);
  expect(confirmed.data).toMatchObject({ state: 'denied', customExtensionStageInstanceDetail: 'changed my mind' });
  expect(await posts(DENY_REQUEST)).toHaveLength(1);
});

test('a lost answer is never sent again: reads show it queued, then Check again verifies it', async ({ page }) => {
  // Graph accepts the reprocess, queues it for 6 s (3 to 9 s with jitter), and its answer
  // is lost (504 after accepting). The first read comes before the queue runs.
  await settings({ actThenFailRate: 1, actionDelayMs: 6_000 });
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  const action = page.locator('[data-action=reprocess]');
  await action.getByTestId('reprocess').click();
  await action.getByTestId('reprocess-now').click();
  const lost = action.getByTestId('action-lost');
  await expect(lost).toContainText('may still run the action', { timeout: 15_000 });
  let log = await posts(REPROCESS_REQUEST);
  expect(log.map((o) => [o.acted, o.answered])).toEqual([[true, '504-after-acting']]);
  // The request-id shown is the one Graph's lost answer carried; nothing offers a resend.
  expect(await lost.textContent()).toContain(log[0].requestId);
  await expect(action.getByTestId('reprocess')).toHaveCount(0);
  // Check again reads, and only reads, until the queue has run.
  await expect(async () => {
    if (await action.getByTestId('action-check-again').isVisible()) await action.getByTestId('action-check-again').click();
    await expect(action.getByTestId('action-verified')).toContainText('took effect', { timeout: 1_000 });
  }).toPass({ timeout: 20_000, intervals: [1_000] });
  log = await posts(REPROCESS_REQUEST);
  expect(log).toHaveLength(1);
});

test('an answer lost before Graph acted is still never sent again: the page says so', async ({ page }) => {
  // 503 before acting: the app cannot know Graph did not act, so it does not resend.
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  const action = page.locator('[data-action=reprocess]');
  await action.getByTestId('reprocess').click();
  await settings({ faultRate: 1 });
  await action.getByTestId('reprocess-now').click();
  await expect.poll(async () => (await posts(REPROCESS_REQUEST)).length).toBe(1);
  await settings({ faultRate: 0 });
  await expect(action.getByTestId('action-lost')).toBeVisible({ timeout: 20_000 });
  await action.getByTestId('action-check-again').click();
  await expect(action.getByTestId('action-lost')).toBeVisible({ timeout: 10_000 });
  await expect(action.getByTestId('reprocess')).toHaveCount(0);
  const log = await posts(REPROCESS_REQUEST);
  expect(log.map((o) => [o.acted, o.answered])).toEqual([[false, '503-before']]);
  // Reads went out (the sandbox logs only writes): the request still stands as before.
  expect((await graphRequest(page, REPROCESS_REQUEST)).state).toBe('deliveryFailed');
});

test('a resume whose connection breaks after acting is verified by reading; a lost assignment reprocess that reads the same says its answer was lost, with its request-id', async ({ page }) => {
  // Graph accepts the resume and queues it (3 to 9 s), then the connection breaks before
  // any answer: reads show the callout waiting until the queue runs, then no longer.
  await settings({ actThenDropRate: 1, actionDelayMs: 6_000 });
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const { form } = await fillResume(page, SEED_CONTINUE, false);
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('action-lost')).toBeVisible({ timeout: 15_000 });
  await expect(async () => {
    if (await form.getByTestId('action-check-again').isVisible()) await form.getByTestId('action-check-again').click();
    await expect(form.getByTestId('action-verified')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000, intervals: [1_000] });
  expect((await posts(CONTINUE_REQUEST)).map((o) => [o.action, o.acted, o.answered])).toEqual([['resume', true, 'dropped']]);

  // Graph accepts a reprocess of a delivered assignment and the answer is lost (504).
  // Its queue waits a minute (30 to 90 s), so every read the app takes shows the
  // assignment delivered, as before the action and as after it: the app cannot tell, says
  // so with the lost answer's request-id, and sends nothing again.
  await resetSandbox({});
  await settings({ actThenFailRate: 1, actionDelayMs: 60_000 });
  await page.goto(`/assignments/${DELIVERED_ASSIGNMENT}`);
  const action = page.locator('[data-action=reprocess-assignment]');
  await action.getByTestId('reprocess').click();
  await action.getByTestId('reprocess-now').click();
  const sent = () => operations().then((log) => log.filter((o) => o.path?.includes(`/assignments/${DELIVERED_ASSIGNMENT}/reprocess`)));
  await expect(action.getByTestId('action-lost')).toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, { timeout: 15_000 });
  const log = await sent();
  expect(log.map((o) => [o.acted, o.answered])).toEqual([[true, '504-after-acting']]);
  // The request-id shown is the one Graph's lost answer carried.
  expect(await action.getByTestId('action-lost').textContent()).toContain(log[0].requestId);
});

test('a resume with another instance id asks first; Graph\'s UnknownError comes with its usual causes', async ({ page }) => {
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const form = page.getByTestId('resume-form');
  await form.getByLabel('Custom extension stage instance id').fill('00000000-0000-4000-8000-000000000000');
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('confirm-instance')).toContainText('957d0c50-466b-4840-bb5b-c92cea7141ff');
  await expect(form.getByTestId('deny-confirm')).toHaveCount(0);
  expect(await posts(CONTINUE_REQUEST)).toEqual([]);
  await form.getByTestId('resume-send-anyway').click();
  // Graph cannot match the callout: UnknownError, no message.
  await expect(form.getByTestId('resume-unknown-error')).toContainText('another instance id');
  const log = await posts(CONTINUE_REQUEST);
  expect(log.map((o) => [o.acted, o.status])).toEqual([[false, 400]]);
});

test('every waiting request of the tenant resumes with the form\'s own choice of stage, first time', async ({ page }) => {
  test.setTimeout(180_000);
  await openSignedIn(page, '/requests?view=waiting');
  const more = page.getByRole('button', { name: 'Load all', exact: true });
  if (await more.isVisible()) await more.click();
  await expect(page.getByTestId('loaded-count')).toContainText('all loaded', { timeout: 30_000 });
  // Every row of the windowed table, scrolled through.
  const ids = new Set<string>();
  const viewport = page.locator('.table-viewport');
  for (let i = 0; i < 50; i++) {
    for (const id of await page.locator('table.requests tbody tr[data-id]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')!))) ids.add(id);
    const done = await viewport.evaluate((el) => {
      const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
      el.scrollTop += el.clientHeight;
      return end;
    });
    if (done) break;
  }
  expect(ids.size).toBeGreaterThanOrEqual(8);
  for (const id of ids) {
    await page.goto(`/requests/${id}`);
    const form = page.getByTestId('resume-form');
    await expect(form.getByTestId('resume-send')).toBeEnabled();
    await form.getByTestId('resume-send').click();
    await expect(form.getByTestId('action-request-id'), id).toHaveText(/^[0-9a-f-]{36}$/);
  }
  const resumes = (await operations()).filter((o) => o.kind === 'action' && o.action === 'resume');
  expect(resumes).toHaveLength(ids.size);
  expect(resumes.filter((o) => !o.acted), 'each accepted at the first try').toEqual([]);
});

test('reprocess a delivered assignment from its page', async ({ page }) => {
  await openSignedIn(page, `/assignments/${DELIVERED_ASSIGNMENT}`);
  const action = page.locator('[data-action=reprocess-assignment]');
  await expect(page.getByTestId('assignment-state')).toHaveText('Delivered');
  await expect(page.getByTestId('assignment-state')).toHaveAttribute('title', 'delivered');
  await action.getByTestId('reprocess').click();
  await expect(action.getByTestId('reprocess-confirm')).toContainText('evaluate this assignment again');
  await action.getByTestId('reprocess-now').click();
  await expect(action.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  // Delivered before and after: only seeing it delivering in between shows Graph ran it.
  await expect(action.getByTestId('followed-state')).toHaveAttribute('data-value', 'delivering', { timeout: 20_000 });
  await expect(action.getByTestId('follow-acted')).toBeVisible();
  await expect(action.getByTestId('followed-state')).toHaveAttribute('data-value', 'delivered', { timeout: 20_000 });
  const log = (await operations()).filter((o) => o.path?.includes(`/assignments/${DELIVERED_ASSIGNMENT}/reprocess`));
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ outcome: 'accepted' });
});

test('assignments list: filtered by Graph, searched in the browser, each row links to its page', async ({ page }) => {
  const sent = sentFilters(page, 'assignments');
  await openSignedIn(page, '/assignments?state=delivered');
  const rows = page.locator('table.assignments tbody tr[data-id]');
  await expect(rows.first()).toBeVisible();
  expect(new Set(sent)).toEqual(new Set(["state eq 'delivered'"]));
  await expect(page.getByTestId('server-filter')).toHaveText("state eq 'delivered'");
  // A label, with Graph's own value beside it.
  for (const s of await page.locator('table.assignments tbody td.state').allTextContents()) expect(s).toBe('Delivered');
  for (const s of await page.locator('table.assignments tbody td.state').evaluateAll((tds) => tds.map((td) => td.getAttribute('title')))) expect(s).toBe('delivered');
  const id = await rows.first().getAttribute('data-id');
  await rows.first().locator('td.target a').click();
  await expect(page).toHaveURL(`${app}/assignments/${id}`);
  await expect(page.locator('[data-action=reprocess-assignment]')).toContainText('Applies to this assignment.');
});
