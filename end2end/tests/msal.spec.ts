import { test, expect } from './helpers';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

// Microsoft's MSAL.js (@azure/msal-browser), unmodified, signs in against entra-sandbox
// --tls the way the app does (authorization code + PKCE, redirect), renews silently, calls
// Graph with what it got, and a day later, its refresh token expired, asks for a sign-in
// (the hidden prompt=none frame answered login_required). Pointing it there is all that
// changes: the authority (its host in knownAuthorities, since MSAL only trusts Microsoft's
// clouds by default) and a browser that accepts the sandbox's own CA. MSAL checks the state
// and the ID token's nonce on the way back, and refuses a token endpoint that answers the
// page without CORS.

// Each cloud's Graph, as the sandbox plays it (--cloud): MSAL asks for its scopes.
const CLOUDS: [string, string][] = [
  ['global', 'https://graph.microsoft.com'],
  ['usgov', 'https://graph.microsoft.us'],
  ['china', 'https://microsoftgraph.chinacloudapi.cn'],
];

// Its browser bundles, as a page would load them (the package's exports do not list them).
const bundle = (file: string) => readFileSync(join(__dirname, '../node_modules/@azure/msal-browser/lib', file), 'utf8');
const SCRIPTS: Record<string, string> = {
  '/msal-browser.min.js': bundle('msal-browser.min.js'),
  '/msal-redirect-bridge.min.js': bundle('redirect-bridge/msal-redirect-bridge.min.js'),
};

async function startSandbox(appOrigin: string, cloud: string): Promise<{ proc: ChildProcess; url: string }> {
  const bin = process.env.SANDBOX_BIN;
  expect(bin, 'SANDBOX_BIN is set by cargo xtask test').toBeTruthy();
  const proc = spawn(bin!, ['--addr', '127.0.0.1:0', '--tls', '--test-control', '--requests', '50', '--admin-consent', 'read-write', '--app-origin', appOrigin, '--cloud', cloud]);
  for await (const line of createInterface({ input: proc.stdout! })) {
    const url = /^entra-sandbox listening on (\S+)/.exec(line)?.[1];
    if (url) return { proc, url };
  }
  throw new Error('the sandbox did not start');
}

// The sandbox's certificate comes from its own CA, which this browser does not know.
test.use({ ignoreHTTPSErrors: true });

/** The single-page app on loopback: MSAL's bundles, and `html()` for any other path. */
async function startApp(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const script = SCRIPTS[req.url ?? ''];
    if (script) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html());
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

for (const [cloud, graphResource] of CLOUDS) {
  test(`MSAL.js signs in with code + PKCE, renews silently and calls Graph on the sandbox (${cloud})`, async ({ page }) => {
    const GRAPH_SCOPE = `${graphResource}/EntitlementManagement.ReadWrite.All`;
    let config = {};
    const { server, origin } = await startApp(
      // In the hidden frame of a silent sign-in, MSAL 5 wants the redirect page to hand
      // the answer back to the app's frame (its redirect bridge) rather than start again.
      () => `<!doctype html><title>MSAL</title>
  <script src="/msal-browser.min.js"></script><script src="/msal-redirect-bridge.min.js"></script>
  <script>
    const c = ${JSON.stringify(config)};
    if (window.parent !== window) {
      msalRedirectBridge.broadcastResponseToMainFrame();
    } else {
      window.pca = new msal.PublicClientApplication({
        auth: { clientId: c.clientId, authority: c.authority, knownAuthorities: [c.host], redirectUri: c.redirectUri },
        cache: { cacheLocation: 'sessionStorage' },
      });
      window.ready = pca.initialize().then(() => pca.handleRedirectPromise());
    }
  </script>`,
    );
    const { proc, url: sandbox } = await startSandbox(origin, cloud);
    try {
      // Node does not trust the sandbox's CA; the browser's request context does (above).
      const { clientId, tenantId } = await (await page.request.get(`${sandbox}/sandbox/info`)).json();
      config = { clientId, authority: `${sandbox}/${tenantId}`, host: new URL(sandbox).host, redirectUri: `${origin}/` };

      // Nothing in the console, on the app's page or the sandbox's sign-in page.
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
      await page.goto(`${origin}/`);
      expect(await page.evaluate(() => (window as any).ready)).toBeNull();
      await page.evaluate((scope) => {
        (window as any).pca.loginRedirect({ scopes: [scope] });
      }, GRAPH_SCOPE);
      await page.locator('button[data-account^="admin@"]').click();
      await page.waitForURL((u) => u.origin === origin);

      // Back on the app: MSAL redeems the code (PKCE verifier, cross-origin) and reads the
      // ID token.
      const signedIn = await page.evaluate(async () => {
        const r = await (window as any).ready;
        return r && { account: r.account.username, tid: r.idTokenClaims.tid, scopes: r.scopes, token: r.accessToken };
      });
      expect(signedIn, 'handleRedirectPromise answered the redirect').toBeTruthy();
      expect(signedIn.account).toMatch(/^admin@/);
      expect(signedIn.tid).toBe(tenantId);
      expect(signedIn.scopes.map((s: string) => s.toLowerCase())).toContain(GRAPH_SCOPE.toLowerCase());

      // A silent renewal with the refresh token, then Graph with the new token.
      const renewed = await page.evaluate(async (scope) => {
        const pca = (window as any).pca;
        const r = await pca.acquireTokenSilent({ scopes: [scope], account: pca.getAllAccounts()[0], forceRefresh: true });
        return { token: r.accessToken, fromCache: r.fromCache };
      }, GRAPH_SCOPE);
      expect(renewed.fromCache).toBe(false);
      expect(renewed.token).not.toBe(signedIn.token);
      const graph = await page.evaluate(async ({ graph, token }) => {
        const r = await fetch(`${graph}/v1.0/identityGovernance/entitlementManagement/assignmentRequests`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: r.status, rows: (await r.json()).value?.length > 0 };
      }, { graph: sandbox, token: renewed.token });
      expect(graph).toEqual({ status: 200, rows: true });
      expect(errors).toEqual([]);

      // A day later the refresh token has expired (24 hours for a SPA): MSAL's silent
      // renewal tries it, then a hidden sign-in (prompt=none), and must end asking for an
      // interactive one, as it does with Entra.
      const clock = await page.request.post(`${sandbox}/sandbox/clock`, { data: { seconds: 25 * 3600 } });
      expect(clock.ok()).toBeTruthy();
      const expired = await page.evaluate(async (scope) => {
        const pca = (window as any).pca;
        try {
          await pca.acquireTokenSilent({ scopes: [scope], account: pca.getAllAccounts()[0], forceRefresh: true });
          return { name: 'renewed' };
        } catch (e: any) {
          return { name: e.name, code: e.errorCode };
        }
      }, GRAPH_SCOPE);
      expect(expired).toEqual({ name: 'InteractionRequiredAuthError', code: 'login_required' });
    } finally {
      proc.kill();
      server.close();
    }
  });
}
