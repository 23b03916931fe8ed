// The official Microsoft Graph JavaScript SDK, unmodified, runs the seed documents' own
// JavaScript snippets against entra-sandbox served with --tls. Pointing it there is all
// that changes: its base URL, its customHosts option (the SDK sends tokens only over https
// to hosts it knows), and NODE_EXTRA_CA_CERTS for the sandbox's CA. Exits non-zero on any
// difference. Started by tests/sdk.spec.ts.
import { Client } from '@microsoft/microsoft-graph-client';
import assert from 'node:assert/strict';

const sandbox = process.env.SANDBOX_URL;
const app = process.env.APP_ORIGIN;
const info = await (await fetch(`${sandbox}/sandbox/info`)).json();
const authority = `${sandbox}/${info.tenantId}`;

// Sign in like a single-page app: code + PKCE (RFC 7636 appendix B pair).
const params = new URLSearchParams({
  client_id: info.clientId,
  response_type: 'code',
  redirect_uri: `${app}/`,
  scope: 'https://graph.microsoft.com/EntitlementManagement.ReadWrite.All openid offline_access',
  state: 'sdk',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
});
const page = await (await fetch(`${authority}/oauth2/v2.0/authorize?${params}`)).text();
const txn = /name="txn" value="([^"]+)"/.exec(page)[1];
const picked = await fetch(`${authority}/oauth2/v2.0/authorize`, {
  method: 'POST',
  body: new URLSearchParams({ txn, account: '0' }),
  redirect: 'manual',
});
const code = new URL(picked.headers.get('location')).searchParams.get('code');
const tokens = await (
  await fetch(`${authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { origin: app },
    body: new URLSearchParams({
      client_id: info.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${app}/`,
      code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    }),
  })
).json();
assert.ok(tokens.access_token, JSON.stringify(tokens));

const client = Client.init({
  authProvider: (done) => done(null, tokens.access_token),
  baseUrl: sandbox,
  customHosts: new Set([new URL(sandbox).hostname]),
});

// seed 000 (v1.0 reprocess), its JavaScript snippet:
await client.api('/identityGovernance/entitlementManagement/assignmentRequests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/reprocess').post();

// seed 001 (v1.0 resume), its JavaScript snippet:
const resume = {
  source: 'Contoso.SodCheckProcess',
  type: 'microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated',
  data: {
    '@odata.type': 'microsoft.graph.accessPackageAssignmentRequestCallbackData',
    stage: 'assignmentRequestCreated',
    customExtensionStageInstanceId: '957d0c50-466b-4840-bb5b-c92cea7141ff',
    customExtensionStageInstanceDetail: 'This user is all verified',
  },
};
await client.api('/identityGovernance/entitlementManagement/assignmentRequests/0e60f18c-b2a0-4887-9da8-da2e30a39d99/resume').post(resume);

// seeds 002 and 004 (beta assignment reprocess), through the SDK's version switch:
await client.api('/identityGovernance/entitlementManagement/accessPackageAssignments/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/reprocess').version('beta').post();

// Graph queues the reprocess (202 Accepted): a read right after shows the request as it
// was. Once the sandbox clock passes the moment the log says it acts, it is delivering.
const requestPath = '/identityGovernance/entitlementManagement/assignmentRequests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b';
const queued = await client.api(requestPath).get();
assert.equal(queued.state, 'deliveryFailed');
const accepted = (await (await fetch(`${sandbox}/sandbox/log`)).json()).value.find(
  (e) => e.action === 'reprocess' && e.target === 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b' && e.path.includes('assignmentRequests'),
);
const clockNow = Date.parse((await (await fetch(`${sandbox}/sandbox/clock`)).json()).now);
const wait = Math.max(0, Math.ceil((Date.parse(accepted.effectiveAt) - clockNow) / 1000)) + 1;
await fetch(`${sandbox}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: wait }) });
const request = await client.api(requestPath).get();
// Delivering for three seconds from the moment it acts: one to two seconds in.
assert.equal(request.state, 'delivering');
const first = await client.api('/identityGovernance/entitlementManagement/assignmentRequests').get();
assert.ok(first['@odata.nextLink'], 'server-driven paging');

// Graph errors come back as the SDK's GraphError, with code and request-id.
await assert.rejects(
  client.api('/identityGovernance/entitlementManagement/assignmentRequests/00000000-0000-4000-8000-000000000000/reprocess').post(),
  (e) => e.statusCode === 404 && e.code === 'ResourceNotFound' && /^[0-9a-f-]{36}$/.test(e.requestId),
);

const log = await (await fetch(`${sandbox}/sandbox/log`)).json();
assert.deepEqual(
  log.value.map((e) => [e.action, e.status]),
  [['reprocess', 202], ['resume', 204], ['reprocess', 202], ['reprocess', 404]],
);
console.log('graph sdk: the seed snippets ran as documented');
