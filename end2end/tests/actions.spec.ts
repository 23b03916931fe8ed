import { test, expect, type Page } from './helpers';
import { app, openSignedIn, operations, resetSandbox } from './helpers';

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

const posts = async (target: string) => (await operations()).filter((o) => o.method === 'POST' && o.target === target);

test('reprocess a failed request: confirm, one send, the request-id, then the request followed', async ({ page }) => {
  await openSignedIn(page, `/requests/${REPROCESS_REQUEST}`);
  const action = page.locator('[data-action=reprocess]');
  await expect(action.getByTestId('reprocess-applies')).toBeVisible();
  await action.getByTestId('reprocess').click();
  await expect(action.getByTestId('reprocess-confirm')).toContainText('try again to deliver');
  expect(await posts(REPROCESS_REQUEST)).toEqual([]);
  await action.getByTestId('reprocess-now').click();
  const requestId = action.getByTestId('action-request-id');
  await expect(requestId).toHaveText(/^[0-9a-f-]{36}$/);
  // The button is gone once sent: nothing can send it twice.
  await expect(action.getByTestId('reprocess-now')).toHaveCount(0);
  await expect(action.getByTestId('reprocess')).toHaveCount(0);
  // Followed until it leaves delivering (the sandbox delivers in 3 s).
  await expect(action.getByTestId('followed-state')).toHaveText(/^(delivered|deliveryFailed|partiallyDelivered)$/i, { timeout: 20_000 });
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
  await expect(page.getByTestId('assignment-state')).toHaveText('delivered');
  expect(await posts(id)).toEqual([]);
});

/** Fills the resume form as the seed example says, and checks the preview is that body. */
async function fillResume(page: Page, seed: typeof SEED_CONTINUE & { data: any }, deny: boolean, stageFromPolicy: boolean) {
  const form = page.getByTestId('resume-form');
  await expect(form.getByLabel('Custom extension stage instance id')).toHaveValue(seed.data.customExtensionStageInstanceId);
  const stage = form.getByRole('combobox', { name: 'Stage' });
  if (stageFromPolicy) {
    // The package's policies call this extension at one stage only: the form knows it.
    await expect(form).toContainText('Read from the assignment policy');
    await expect(stage).toHaveValue('assignmentRequestCreated');
  } else {
    // The package's policies do not pin the extension to one stage: the admin chooses.
    await expect(form).toContainText('choose the stage the request waits at');
    await stage.selectOption('assignmentRequestCreated');
  }
  await form.getByLabel('Source', { exact: true }).fill(seed.source);
  await form.getByLabel('Detail').fill(seed.data.customExtensionStageInstanceDetail);
  if (deny) await form.getByRole('radio', { name: 'Deny' }).check();
  const preview = JSON.parse((await form.getByTestId('resume-preview').textContent())!);
  return { form, preview };
}

test('resume with continue: the form reproduces the seed example and sends it once', async ({ page }) => {
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const { form, preview } = await fillResume(page, SEED_CONTINUE, false, true);
  expect(preview).toEqual(SEED_CONTINUE);
  await form.getByTestId('resume-send').click();
  await expect(form.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(form.getByTestId('followed-status')).not.toHaveText(/^WaitingForCallback$/i, { timeout: 20_000 });
  const log = await posts(CONTINUE_REQUEST);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ action: 'resume', outcome: 'accepted' });
});

test('resume with deny: the seed example, after a confirmation', async ({ page }) => {
  await openSignedIn(page, `/requests/${DENY_REQUEST}`);
  const { form, preview } = await fillResume(page, SEED_DENY, true, false);
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
  await expect(form.getByTestId('followed-state')).toHaveText(/^denied$/i, { timeout: 20_000 });
  const log = await posts(DENY_REQUEST);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ action: 'resume', outcome: 'accepted' });
});

test('every field error shows next to its field and nothing is sent', async ({ page }) => {
  await openSignedIn(page, `/requests/${CONTINUE_REQUEST}`);
  const form = page.getByTestId('resume-form');
  const send = form.getByTestId('resume-send');
  await expect(send).toBeEnabled();
  await form.getByLabel('Source', { exact: true }).fill('   ');
  await expect(form.getByTestId('error-source')).not.toBeEmpty();
  await form.getByLabel('Custom extension stage instance id').fill("957d0c50' or 1 eq 1");
  await expect(form.getByTestId('error-instance')).toHaveText('The custom extension stage instance id must be a GUID.');
  await form.getByLabel('Custom extension stage instance id').fill('00000000-0000-0000-0000-000000000000');
  await expect(form.getByTestId('error-instance')).toHaveText('This is not the callout instance the request waits on.');
  await form.getByRole('combobox', { name: 'Stage' }).selectOption('assignmentRequestGranted');
  await form.getByRole('radio', { name: 'Deny' }).check();
  await expect(form.getByTestId('error-stage')).toContainText('waits at another stage: assignmentRequestCreated');
  await expect(form.getByTestId('error-stage')).toContainText('assignmentRequestGranted');
  await expect(send).toBeDisabled();
  await form.getByLabel('Source', { exact: true }).press('Enter');
  expect(await posts(CONTINUE_REQUEST)).toEqual([]);
});

test('reprocess a delivered assignment from its page', async ({ page }) => {
  await openSignedIn(page, `/assignments/${DELIVERED_ASSIGNMENT}`);
  const action = page.locator('[data-action=reprocess-assignment]');
  await expect(page.getByTestId('assignment-state')).toHaveText('delivered');
  await action.getByTestId('reprocess').click();
  await expect(action.getByTestId('reprocess-confirm')).toContainText('evaluate this assignment again');
  await action.getByTestId('reprocess-now').click();
  await expect(action.getByTestId('action-request-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(action.getByTestId('followed-state')).toHaveText(/^delivered$/i, { timeout: 20_000 });
  const log = (await operations()).filter((o) => o.path?.includes(`/assignments/${DELIVERED_ASSIGNMENT}/reprocess`));
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ outcome: 'accepted' });
});

test('assignments list: filtered by Graph, searched in the browser, each row links to its page', async ({ page }) => {
  await openSignedIn(page, '/assignments?state=delivered');
  const rows = page.locator('table.assignments tbody tr[data-id]');
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId('server-filter')).toHaveText("state eq 'delivered'");
  for (const s of await page.locator('table.assignments tbody td.state').allTextContents()) expect(s).toBe('delivered');
  const id = await rows.first().getAttribute('data-id');
  await rows.first().locator('td.target a').click();
  await expect(page).toHaveURL(`${app}/assignments/${id}`);
  await expect(page.locator('[data-action=reprocess-assignment]')).toContainText('applies to this assignment');
});
