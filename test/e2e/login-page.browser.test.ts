/** The login and setup pages in a real Chromium, with JavaScript switched off. */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startHarness, type Harness } from '../support/gateway-harness.js';
import { launchBrowser } from '../support/browser.js';

describe('the login page in Chromium without JavaScript', () => {
  let h: Harness;
  let browser: BrowserContext;
  beforeAll(async () => {
    h = await startHarness('embedded');
    browser = await launchBrowser({ javaScriptEnabled: false });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs a person in and out with plain forms', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/login`);
    await page.fill('#login_id', ADMIN.username);
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    await expect(page.locator('.error').textContent()).resolves.toContain('Enter a valid email or username and/or password.');
    expect(await page.inputValue('#login_id')).toBe(ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${h.url}/`);
    expect(await page.textContent('main')).toContain(`signed in as ${ADMIN.username}`);
    const cookies = await browser.cookies(h.url);
    expect(cookies.find((c) => c.name === 'MMAUTHTOKEN')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await page.click('button[type=submit]');
    await page.waitForURL(`${h.url}/login`);
    expect((await browser.cookies(h.url)).find((c) => c.name === 'MMAUTHTOKEN')).toBeUndefined();
    await page.close();
  });
});
