// The CSP fixture of ./helpers watches every navigation here too (the sandboxes' origins
// are in the served config's connect-src).
import { test, expect, type Page } from './helpers';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

// Sign-in in every national cloud, each against a sandbox of its own started with
// `--cloud`: the app is served a config.json for it ("cloud": "custom", acting as that
// cloud) and must accept the ID token's issuer because the tenant's OpenID discovery
// document announces it, whatever the sign-in host. China issues as
// login.partner.microsoftonline.cn while signing in at login.chinacloudapi.cn: the China
// cases pass with a sandbox that issues as its own origin and with one that issues as the
// partner host, and the "partner" cases make the sandbox's answers say so today.

const app = process.env.APP_URL!;
const mainSandbox = process.env.SANDBOX_URL!;

// The app's document is fulfilled by the test (to give it this sandbox's policy), so
// Chromium cannot tell it came from this machine and treats its calls to the sandbox on
// 127.0.0.1 as a public page reaching the loopback address space, which needs this
// permission. A deployment never does: its page and Microsoft's hosts are all public.
test.use({ permissions: ['local-network-access'] });

type Sandbox = { url: string; child: ChildProcess };

/**
 * Starts entra-sandbox on a free port, acting as `cloud`, registered for this app, in a tenant
 * whose administrator consented to both permissions (as the suite's own sandbox): the
 * account picker leads straight back to the app, with no consent prompt.
 */
function startSandbox(cloud: string): Promise<Sandbox> {
  const bin = process.env.SANDBOX_BIN;
  expect(bin, 'SANDBOX_BIN is set by cargo xtask test').toBeTruthy();
  const args = ['--addr', '127.0.0.1:0', '--cloud', cloud, '--requests', '20', '--admin-consent', 'read-write', '--app-origin', app];
  const child = spawn(bin!, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    // Read every line, so the pipe never fills.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const url = /^entra-sandbox listening on (\S+)/.exec(line)?.[1];
      if (url) resolve({ url, child });
    });
    child.on('exit', (code) => reject(new Error(`entra-sandbox --cloud ${cloud} exited (${code})`)));
  });
}

/**
 * Serves the app with `config` and the policy a deployment for it gets: `connect-src`
 * names this sandbox instead of the suite's (what `cargo xtask dist --config` writes).
 */
async function serveAppFor(page: Page, sandboxUrl: string, config: object) {
  await page.route('**/config.json', (route) => route.fulfill({ json: config }));
  await page.route(
    (u) => u.origin === new URL(app).origin,
    async (route) => {
      if (route.request().resourceType() !== 'document') return route.fallback();
      const resp = await route.fetch();
      const headers = { ...resp.headers() };
      const policy = headers['content-security-policy'];
      expect(policy).toContain(` ${mainSandbox}`);
      headers['content-security-policy'] = policy.replaceAll(` ${mainSandbox}`, ` ${sandboxUrl}`);
      await route.fulfill({ response: resp, headers });
    },
  );
  // The sign-in page answers the account it was given with a 302 to the app, and a route
  // sees only the first URL of a redirect chain: the app's document would come back with
  // the suite's policy. The same address is opened as a navigation of its own instead.
  await page.route(
    (u) => u.origin === sandboxUrl && u.pathname.endsWith('/oauth2/v2.0/authorize'),
    async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const resp = await route.fetch({ maxRedirects: 0 });
      const location = resp.headers()['location'];
      if (resp.status() !== 302 || !location?.startsWith(`${app}/`)) return route.fulfill({ response: resp });
      await route.fulfill({
        contentType: 'text/html',
        body: `<!DOCTYPE html><script>location.replace(${JSON.stringify(location)})</script>`,
      });
    },
  );
}

/** The claims of a JWT (no signature check: the test only reads what the app accepted). */
function claims(jwt: string): Record<string, string> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

const PARTNER = 'https://login.partner.microsoftonline.cn';

/**
 * Makes a China sandbox answer as 21Vianet does, whatever issuer the sandbox itself uses:
 * its discovery document and its ID tokens name login.partner.microsoftonline.cn while
 * sign-in stays at the sandbox. `tokenIssuerHost` lets the token disagree with the
 * document. (The app checks claims, not the signature, which is the token endpoint's
 * over TLS; so re-encoding the claims is enough.)
 */
async function issueAsPartner(page: Page, sandboxUrl: string, tokenIssuerHost = PARTNER) {
  await page.route(
    (u) => u.origin === sandboxUrl && u.pathname.endsWith('/v2.0/.well-known/openid-configuration'),
    async (route) => {
      const resp = await route.fetch();
      const doc = await resp.json();
      doc.issuer = String(doc.issuer).replace(/^https?:\/\/[^/]+/, PARTNER);
      await route.fulfill({ response: resp, json: doc });
    },
  );
  await page.route(
    (u) => u.origin === sandboxUrl && u.pathname.endsWith('/oauth2/v2.0/token'),
    async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const resp = await route.fetch();
      const body = await resp.json();
      if (body.id_token) {
        const [header, payload, signature] = body.id_token.split('.');
        const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        c.iss = `${tokenIssuerHost}/${c.tid}/v2.0`;
        body.id_token = [header, Buffer.from(JSON.stringify(c)).toString('base64url'), signature].join('.');
      }
      await route.fulfill({ response: resp, json: body });
    },
  );
}

type Case = {
  sandbox: 'global' | 'usgov' | 'china';
  actsAs: string;
  tenant: 'id' | 'organizations';
  /** China as 21Vianet issues (see issueAsPartner); 'mismatch': the token says otherwise. */
  partner?: 'agree' | 'mismatch';
};

const cases: Case[] = [
  { sandbox: 'global', actsAs: 'global', tenant: 'id' },
  { sandbox: 'usgov', actsAs: 'usgov-l4', tenant: 'id' },
  { sandbox: 'usgov', actsAs: 'usgov-l5-dod', tenant: 'id' },
  { sandbox: 'china', actsAs: 'china', tenant: 'id' },
  { sandbox: 'china', actsAs: 'china', tenant: 'organizations' },
  { sandbox: 'china', actsAs: 'china', tenant: 'id', partner: 'agree' },
  { sandbox: 'china', actsAs: 'china', tenant: 'organizations', partner: 'agree' },
  { sandbox: 'china', actsAs: 'china', tenant: 'id', partner: 'mismatch' },
];

function title(c: Case): string {
  const issuer = { agree: ', issuer login.partner.microsoftonline.cn', mismatch: ', a token whose issuer is not the document\'s' };
  return `acting as ${c.actsAs} (tenant ${c.tenant}${c.partner ? issuer[c.partner] : ''})`;
}

for (const c of cases) {
  const outcome = c.partner === 'mismatch' ? 'is refused' : 'signs in and sees the catalogs';
  test(`${title(c)} ${outcome}`, async ({ page }) => {
    const sb = await startSandbox(c.sandbox);
    try {
      const info = await (await fetch(`${sb.url}/sandbox/info`)).json();
      const tenantId = c.tenant === 'id' ? info.tenantId : 'organizations';
      await serveAppFor(page, sb.url, {
        clientId: info.clientId,
        tenantId,
        cloud: 'custom',
        custom: { authorityHost: sb.url, graphHost: sb.url, actsAs: c.actsAs },
        graphVersion: 'v1.0',
        redirectUri: `${app}/`,
      });
      if (c.partner) await issueAsPartner(page, sb.url, c.partner === 'agree' ? PARTNER : sb.url);
      // Each answer is counted as it arrives (synchronously); its body is read later, and
      // every read is awaited before it is looked at.
      const docs: Promise<{ issuer: string }>[] = [];
      const idTokens: Promise<string>[] = [];
      page.on('response', (r) => {
        if (r.url() === `${sb.url}/${tenantId}/v2.0/.well-known/openid-configuration`) docs.push(r.json());
        if (r.url() === `${sb.url}/${tenantId}/oauth2/v2.0/token` && r.request().method() === 'POST') {
          idTokens.push(r.json().then((b) => b.id_token));
        }
      });
      await page.goto('/');
      await expect(page.getByTestId('cloud')).toHaveText(c.actsAs);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
      expect(page.url().startsWith(`${sb.url}/${tenantId}/oauth2/v2.0/authorize?`)).toBeTruthy();
      expect(docs, 'no discovery document before the redirect is finished').toHaveLength(0);
      await page.locator('button[data-account^="admin@"]').click();
      await page.waitForURL((u) => u.toString().startsWith(app));

      if (c.partner === 'mismatch') {
        await expect(page.getByTestId('sign-in-error-message')).toContainText('issuer');
        await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
        await expect(page.getByTestId('account-name')).toHaveCount(0);
      } else {
        await expect(page.getByTestId('account-name')).toHaveText('Adele Vance');
        await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(4);
      }
      // The response left the address.
      await expect(page).toHaveURL(`${app}/`);
      // The document was read once, while finishing the redirect, and one code redeemed.
      expect(docs).toHaveLength(1);
      expect(idTokens).toHaveLength(1);
      const [doc] = await Promise.all(docs);
      const iss = claims((await Promise.all(idTokens))[0]).iss;
      // What the app accepted is the signed-in account above (or, for the mismatch, the
      // refusal naming the issuer). The partner cases' issuer is this test's own rewrite,
      // so only the sandbox's own answers are noted, as the issuer a real cloud would use.
      if (!c.partner) {
        expect(iss).toBe(doc.issuer.replace('{tenantid}', info.tenantId));
        test.info().annotations.push({ type: 'issuer', description: iss });
      }
    } finally {
      sb.child.kill();
    }
  });
}

// Each cloud and version with its own Graph surface (Microsoft's metadata: beta in a
// national cloud has only the accessPackage… collections; v1.0 there has no resume and no
// justification): the app signs in, lists requests and opens one, and Graph never answers
// it with an error; beta outside the global cloud is refused by the configuration check.
const surfaces: { sandbox: 'global' | 'usgov' | 'china'; actsAs: string; version: 'v1.0' | 'beta' }[] = [
  { sandbox: 'global', actsAs: 'global', version: 'v1.0' },
  { sandbox: 'global', actsAs: 'global', version: 'beta' },
  { sandbox: 'usgov', actsAs: 'usgov-l4', version: 'v1.0' },
  { sandbox: 'china', actsAs: 'china', version: 'v1.0' },
];

for (const s of surfaces) {
  test(`${s.version} acting as ${s.actsAs}: lists and opens requests on that cloud's surface`, async ({ page }) => {
    const sb = await startSandbox(s.sandbox);
    try {
      const info = await (await fetch(`${sb.url}/sandbox/info`)).json();
      await serveAppFor(page, sb.url, {
        clientId: info.clientId,
        tenantId: info.tenantId,
        cloud: 'custom',
        custom: { authorityHost: sb.url, graphHost: sb.url, actsAs: s.actsAs },
        graphVersion: s.version,
        redirectUri: `${app}/`,
      });
      const graphErrors: string[] = [];
      const graphCalls: string[] = [];
      page.on('response', (r) => {
        const u = new URL(r.url());
        if (u.origin !== sb.url || !/^\/(v1\.0|beta)\//.test(u.pathname)) return;
        graphCalls.push(u.pathname);
        if (r.status() >= 400) graphErrors.push(`${r.status()} ${r.url()}`);
      });
      await page.goto('/requests');
      await page.getByRole('button', { name: 'Sign in to continue' }).click();
      await page.locator('button[data-account^="admin@"]').click();
      await page.waitForURL((u) => u.toString().startsWith(app));
      const rows = page.locator('table.requests tbody tr[data-id]');
      await expect(rows.first()).toBeVisible();
      await rows.first().locator('td.requestor a').click();
      await expect(page.getByTestId('request-state')).toBeVisible();
      const resume = page.locator('[data-action=resume]');
      await expect(resume.getByTestId('resume-why-not').or(resume.getByTestId('resume-form'))).toBeVisible();
      if (s.actsAs === 'global') await expect(resume).not.toContainText('global service only');
      else await expect(resume.getByTestId('resume-why-not')).toContainText('global service only');
      expect(graphCalls.every((p) => p.startsWith(`/${s.version}/`)), graphCalls.join('\n')).toBeTruthy();
      expect(graphCalls.length).toBeGreaterThan(0);
      expect(graphErrors).toEqual([]);
    } finally {
      sb.child.kill();
    }
  });
}

for (const actsAs of ['usgov-l4', 'china']) {
  test(`beta acting as ${actsAs} is refused by the configuration check, which says why`, async ({ page }) => {
    await page.route('**/config.json', (route) =>
      route.fulfill({
        json: {
          clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
          tenantId: 'organizations',
          cloud: actsAs,
          graphVersion: 'beta',
          redirectUri: `${app}/`,
        },
      }),
    );
    await page.goto('/');
    const problem = page.getByTestId('config-error');
    await expect(problem).toContainText('graphVersion');
    await expect(problem).toContainText('has no assignmentRequests, assignments or catalogs');
    await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  });
}
