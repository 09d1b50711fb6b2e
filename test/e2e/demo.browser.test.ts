/** `npm run demo` as a newcomer uses it: Chromium clicks "Sign in with Demo SSO" and lands signed in. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { freePort } from '../support/gateway-harness.js';

describe('npm run demo', () => {
  let browser: BrowserContext;
  let child: ReturnType<typeof spawn>;
  let base: string;
  let dir: string;
  beforeAll(async () => {
    const [port, chatPort] = [await freePort(), await freePort()];
    dir = mkdtempSync(join(tmpdir(), 'gh-demo-'));
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../demo/run.ts')], {
      env: { ...process.env, GATEHOUSE_PORT: String(port), GATEHOUSE_CHAT_PORT: String(chatPort), GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    let up = false;
    for (let i = 0; i < 150 && !up; i += 1) {
      up = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    expect(up).toBe(true);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs alice in through the demo provider, makes her an admin by group and puts her in her team', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.click('text=Sign in with Demo SSO');
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    // The provider's consent page, then back to Gatehouse.
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    expect(await page.textContent('main')).toContain('signed in as alice');
    // Her groups put her in Engineering (engineering → auto_add; chat-admins → scheme_admin).
    expect(await page.textContent('main')).toContain('Engineering (team admin)');
    expect(await page.textContent('main')).not.toContain('Sales');
    // The pages allow no scripts to fetch (CSP), so ask with the browser's cookies from outside.
    const me = await (await browser.request.get(`${base}/api/v4/users/me`)).json();
    expect(me).toMatchObject({ username: 'alice', roles: 'system_admin system_user', auth_service: 'demo' });
  });
});
