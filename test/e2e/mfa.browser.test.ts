/** MFA in a real Chromium with JavaScript off: required enrolment (QR image shown), then the code page at the next sign-in. */
import { generate } from 'otplib';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startHarness, type Harness } from '../support/gateway-harness.js';
import { launchBrowser } from '../support/browser.js';

describe('MFA pages in Chromium without JavaScript', () => {
  let h: Harness;
  let browser: BrowserContext;
  beforeAll(async () => {
    h = await startHarness('embedded', { config: { mfa: { mode: 'required' } } });
    browser = await launchBrowser({ javaScriptEnabled: false });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('enrols a required user, then asks for the code at the next sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/login`);
    await page.fill('#login_id', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/mfa\/setup/);
    // The QR code renders (CSP allows the data: image on this page only).
    const size = await page.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth);
    expect(size).toBeGreaterThan(100);
    const secret = (await page.locator('p.hint code').textContent())!.replace(/ /g, '');
    await page.fill('#code', await generate({ secret }));
    await page.click('button[type=submit]');
    await expect(page.locator('ul.codes li').count()).resolves.toBe(10);
    await page.click('text=Continue');
    await page.waitForURL(`${h.url}/`);
    expect(await page.textContent('main')).toContain(`signed in as ${ADMIN.username}`);
    await page.click('button[type=submit]'); // sign out
    await page.waitForURL(`${h.url}/login`);

    await page.fill('#login_id', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${h.url}/login/mfa`);
    await page.fill('#code', '000000');
    await page.click('button[type=submit]');
    await expect(page.locator('.error').textContent()).resolves.toContain('That code is not valid');
    // The activation code's time step is spent: use the next step's code (within the ±1 step window).
    await page.fill('#code', await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.click('button[type=submit]');
    await page.waitForURL(`${h.url}/`);
    expect(await page.textContent('main')).toContain(`signed in as ${ADMIN.username}`);
    await page.close();
  });
});
