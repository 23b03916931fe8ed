import { test, expect } from './helpers';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

// The official Graph JavaScript SDK against entra-sandbox --tls (sdk/seed-snippets.mjs).
test('the Microsoft Graph JavaScript SDK runs the seeds snippets against the sandbox over TLS', async () => {
  const bin = process.env.SANDBOX_BIN;
  expect(bin, 'SANDBOX_BIN is set by cargo xtask test').toBeTruthy();
  const appOrigin = 'http://127.0.0.1:9';
  const sandbox = spawn(bin!, ['--addr', '127.0.0.1:0', '--tls', '--test-control', '--requests', '200', '--admin-consent', 'read-write', '--app-origin', appOrigin]);
  try {
    let url = '';
    let ca = '';
    for await (const line of createInterface({ input: sandbox.stdout! })) {
      url ||= /^entra-sandbox listening on (\S+)/.exec(line)?.[1] ?? '';
      ca ||= /TLS: trust the CA certificate at (\S+)/.exec(line)?.[1] ?? '';
      if (url && ca) break;
    }
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const run = spawnSync(process.execPath, ['sdk/seed-snippets.mjs'], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca, SANDBOX_URL: url, APP_ORIGIN: appOrigin },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('the seed snippets ran as documented');
  } finally {
    sandbox.kill();
  }
});
