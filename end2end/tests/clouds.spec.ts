import { test, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

// Sign-in in every national cloud, each against a sandbox of its own started with
// `--cloud`: the app is served a config.json for it ("cloud": "custom", acting as that
// cloud) and must accept the ID token's issuer because the tenant's OpenID discovery
// document announces it, whatever the sign-in host. (China issues as
// login.partner.microsoftonline.cn while signing in at login.chinacloudapi.cn; a sandbox
// issues as its own origin or, acting as China, as the partner host: both must pass.)

const app = process.env.APP_URL!;
const mainSandbox = process.env.SANDBOX_URL!;

type Sandbox = { url: string; child: ChildProcess };

/** Starts entra-sandbox on a free port, acting as `cloud`, registered for this app. */
function startSandbox(cloud: string): Promise<Sandbox> {
  const bin = process.env.SANDBOX_BIN;
  expect(bin, 'SANDBOX_BIN is set by cargo xtask test').toBeTruthy();
  const child = spawn(bin!, ['--addr', '127.0.0.1:0', '--cloud', cloud, '--requests', '20', '--app-origin', app], {
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
}

/** The claims of a JWT (no signature check: the test only reads what the app accepted). */
function claims(jwt: string): Record<string, string> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

const cases = [
  { sandbox: 'global', actsAs: 'global', tenant: 'id' },
  { sandbox: 'usgov', actsAs: 'usgov-l4', tenant: 'id' },
  { sandbox: 'usgov', actsAs: 'usgov-l5-dod', tenant: 'id' },
  { sandbox: 'china', actsAs: 'china', tenant: 'id' },
  { sandbox: 'china', actsAs: 'china', tenant: 'organizations' },
] as const;

for (const c of cases) {
  test(`signs in acting as ${c.actsAs} (tenant ${c.tenant}) and sees the catalogs`, async ({ page }) => {
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
      const idTokens: string[] = [];
      const discovery: string[] = [];
      page.on('response', async (r) => {
        if (r.url() === `${sb.url}/${tenantId}/v2.0/.well-known/openid-configuration`) discovery.push(r.url());
        if (r.url() === `${sb.url}/${tenantId}/oauth2/v2.0/token` && r.request().method() === 'POST') {
          idTokens.push((await r.json()).id_token);
        }
      });
      const violations: string[] = [];
      page.on('console', (m) => {
        if (m.text().includes('Content Security Policy')) violations.push(m.text());
      });

      await page.goto('/');
      await expect(page.getByTestId('cloud')).toHaveText(c.actsAs);
      expect(discovery, 'no discovery document on an ordinary visit').toEqual([]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
      expect(page.url().startsWith(`${sb.url}/${tenantId}/oauth2/v2.0/authorize?`)).toBeTruthy();
      await page.locator('button[data-account^="admin@"]').click();
      await page.waitForURL((u) => u.toString().startsWith(app));
      await expect(page.getByTestId('account-name')).toHaveText('Adele Vance');
      await expect(page.getByTestId('catalogs').getByRole('listitem')).toHaveCount(4);
      expect(page.url()).toBe(`${app}/`);

      // The issuer accepted is the discovery document's, {tenantid} filled in.
      expect(discovery).toHaveLength(1);
      const doc = await (await fetch(discovery[0])).json();
      const iss = claims(idTokens[0]).iss;
      expect(iss).toBe(String(doc.issuer).replace('{tenantid}', info.tenantId));
      test.info().annotations.push({ type: 'issuer', description: iss });
      expect(violations).toEqual([]);
    } finally {
      sb.child.kill();
    }
  });
}
