/**
 * The second factor in browser flows: the code page after the password form (pending sign-in used
 * once, expiring, form-token bound), the enrolment page for a required user (CSRF, the same secret
 * after a wrong code), and SAML sign-ins where the IdP's MFA counts only for a trusting connector
 * with proof in the response.
 */
import { inflateRawSync } from 'node:zlib';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMfaRepository } from '../../../src/mfa/mfa-repository.js';
import { newTotpSecret } from '../../../src/mfa/totp.js';
import { ADMIN, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createFakeClock } from '../../support/log-sink.js';
import { createTestIdp, IDP_SHAPES, loadKeyPair, type TestIdp } from '../../support/saml-idp.js';

const PASSWORD = 'Correct horse battery staple 9!';
const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

async function formLogin(c: ReturnType<typeof apiClient>, loginId: string, password: string, returnTo = '/') {
  const page = await c.request('GET', '/login', { useCookies: true });
  return c.request('POST', '/login', { useCookies: true, form: { form_token: field(page.text, 'form_token'), return_to: returnTo, login_id: loginId, password } });
}

describe('MFA pages (optional mode)', () => {
  let h: Harness;
  const clock = createFakeClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  let secret: string;
  beforeAll(async () => {
    h = await startHarness('embedded', { now: clock.now, config: { mfa: { mode: 'optional', pendingMinutes: 5 } } });
    const admin = apiClient(h.url);
    await admin.login(ADMIN.email, ADMIN.password);
    const u = await admin.request('POST', '/api/v4/users', { body: { email: 'pia@example.com', username: 'pia', password: PASSWORD } });
    // Enrolled directly in the store: this file is about the pages, not the enrolment API.
    const repo = createMfaRepository(h.gw.gateway.ctx.db, h.gw.gateway.ctx.sealer, h.gw.gateway.ctx.now);
    secret = newTotpSecret();
    await repo.saveInactiveSecret(u.json.id, secret);
    await repo.activate(u.json.id);
  });
  afterAll(async () => { await h?.close(); });

  it('asks for the code after the password; the session exists only after it, and the pending sign-in works once', async () => {
    const c = apiClient(h.url);
    const first = await formLogin(c, 'pia', PASSWORD, '/channels/town');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/login/mfa');
    expect(c.jar.has('MMAUTHTOKEN')).toBe(false);
    const codePage = await c.request('GET', '/login/mfa', { useCookies: true });
    expect(codePage.status).toBe(200);
    expect(codePage.text).toContain('autocomplete="one-time-code"');
    const formToken = field(codePage.text, 'form_token');
    const wrong = await c.request('POST', '/login/mfa', { useCookies: true, form: { form_token: formToken, code: '000000' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not valid');
    expect(c.jar.has('MMAUTHTOKEN')).toBe(false);
    const pendingCookie = c.jar.get('gh_mfa_pending')!;
    clock.advance(30_000);
    const ok = await c.request('POST', '/login/mfa', { useCookies: true, form: { form_token: formToken, code: await codeAt(secret, clock.now()) } });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/channels/town');
    expect(c.jar.has('MMAUTHTOKEN')).toBe(true);
    // Replaying the same pending sign-in (a stolen cookie, a double submit) finds nothing.
    const replay = apiClient(h.url);
    replay.jar.set('gh_mfa_pending', pendingCookie);
    clock.advance(30_000);
    const again = await replay.request('POST', '/login/mfa', { useCookies: true, form: { form_token: formToken, code: await codeAt(secret, clock.now()) } });
    expect(again.status).toBe(400);
    expect(again.text).toContain('This sign-in has expired');
    expect(replay.jar.has('MMAUTHTOKEN')).toBe(false);
  });

  it('a pending sign-in expires, and needs its own form token', async () => {
    const c = apiClient(h.url);
    await formLogin(c, 'pia', PASSWORD);
    const codePage = await c.request('GET', '/login/mfa', { useCookies: true });
    clock.advance(30_000);
    const forged = await c.request('POST', '/login/mfa', { useCookies: true, form: { form_token: 'not-the-token', code: await codeAt(secret, clock.now()) } });
    expect(forged.status).toBe(400);
    expect(c.jar.has('MMAUTHTOKEN')).toBe(false);
    clock.advance(6 * 60_000);
    const late = await c.request('POST', '/login/mfa', { useCookies: true, form: { form_token: field(codePage.text, 'form_token'), code: await codeAt(secret, clock.now()) } });
    expect(late.status).toBe(400);
    expect(c.jar.has('MMAUTHTOKEN')).toBe(false);
  });
});

describe('MFA pages (required mode) and SAML', () => {
  let h: Harness;
  const sp = loadKeyPair('sp-signing');
  const idps: Record<string, TestIdp> = {};
  const carol = { id: 'okta-carol', email: 'carol@example.com', username: 'carol', firstName: 'Carol', lastName: 'C', groups: [] as string[] };
  const saml = (id: string, trustIdpMfa: boolean) => ({
    id, type: 'saml' as const, displayName: id, preset: 'okta' as const, trustIdpMfa,
    idp: { entityId: 'https://idp.example.test', ssoUrl: 'https://idp.example.test/sso', certificates: [createTestIdp({ entityId: 'https://idp.example.test', sp: {} }).certificatePem] },
    sp: { privateKeyFile: sp.privateKeyFile, certificateFile: sp.certificateFile }, attributes: IDP_SHAPES.okta(carol).mapping,
  });
  beforeAll(async () => {
    h = await startHarness('embedded', { config: { mfa: { mode: 'required' }, connectors: [saml('trusting', true), saml('strict', false)] } });
    for (const id of ['trusting', 'strict']) {
      idps[id] = createTestIdp({ entityId: 'https://idp.example.test', sp: { entityId: `${h.url}/auth/${id}/saml/metadata`, acsUrl: `${h.url}/auth/${id}/saml/acs` } });
    }
  });
  afterAll(async () => { await h?.close(); });

  async function samlSignIn(connector: string, user: typeof carol, authnContextClassRef?: string) {
    const c = apiClient(h.url);
    const started = await c.request('GET', `/auth/${connector}/saml/login`, { useCookies: true });
    const url = new URL(started.headers.get('location')!);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const shape = IDP_SHAPES.okta(user);
    const SAMLResponse = idps[connector]!.response({ inResponseTo: /ID="([^"]+)"/.exec(xml)![1]!, nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes, ...(authnContextClassRef ? { authnContextClassRef } : {}) });
    const posted = await c.request('POST', `/auth/${connector}/saml/acs`, { useCookies: true, form: { SAMLResponse, RelayState: url.searchParams.get('RelayState') ?? '' } });
    return { c, posted };
  }

  it('trusts the IdP\'s MFA only for a trusting connector whose response proves it', async () => {
    const proven = await samlSignIn('trusting', carol, 'https://refeds.org/profile/mfa');
    expect(proven.posted.status).toBe(303);
    expect(proven.posted.headers.get('location')).toBe('/');
    expect((await proven.c.request('GET', '/api/v4/teams', { useCookies: true })).status).toBe(200);
    const [session] = await h.gw.gateway.ctx.sessions.listForUser((await proven.c.request('GET', '/api/v4/users/me', { useCookies: true })).json.id);
    expect(session!.amr).toEqual(['saml', 'mfa']);

    // The same trusting connector without proof: enrol first.
    const unproven = await samlSignIn('trusting', { ...carol, id: 'okta-dan', email: 'dan@example.com', username: 'dan' });
    expect(unproven.posted.headers.get('location')).toMatch(/^\/mfa\/setup/);
    expect((await unproven.c.request('GET', '/api/v4/teams', { useCookies: true })).json.id).toBe('api.context.mfa_required.app_error');

    // A connector that does not trust the IdP: proof or not, Gatehouse's own factor.
    const strict = await samlSignIn('strict', { ...carol, id: 'okta-erin', email: 'erin@example.com', username: 'erin' }, 'https://refeds.org/profile/mfa');
    expect(strict.posted.headers.get('location')).toMatch(/^\/mfa\/setup/);
  });

  it('the enrolment page shows a QR code, refuses a post without the CSRF token, keeps the secret after a wrong code, and then lets the user in', async () => {
    const c = apiClient(h.url);
    const first = await formLogin(c, ADMIN.email, ADMIN.password, '/channels/x');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/mfa/setup?redirect_to=%2Fchannels%2Fx');
    const setup = await c.request('GET', '/mfa/setup?redirect_to=%2Fchannels%2Fx', { useCookies: true });
    expect(setup.status).toBe(200);
    expect(setup.text).toMatch(/<img [^>]*src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    expect(setup.headers.get('content-security-policy')).toContain('img-src data:');
    const secret = /<code>([A-Z2-7 ]+)<\/code>/.exec(setup.text)![1]!.replace(/ /g, '');
    const noCsrf = await c.request('POST', '/mfa/setup', { useCookies: true, form: { code: await codeAt(secret, Date.now()), return_to: '/channels/x' } });
    expect(noCsrf.status).toBe(401);
    const csrf = field(setup.text, 'csrf_token');
    const wrong = await c.request('POST', '/mfa/setup', { useCookies: true, form: { csrf_token: csrf, code: '000000', return_to: '/channels/x' } });
    expect(wrong.status).toBe(401);
    expect(/<code>([A-Z2-7 ]+)<\/code>/.exec(wrong.text)![1]!.replace(/ /g, '')).toBe(secret);
    const done = await c.request('POST', '/mfa/setup', { useCookies: true, form: { csrf_token: csrf, code: await codeAt(secret, Date.now()), return_to: '/channels/x' } });
    expect(done.status).toBe(200);
    expect([...done.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)]).toHaveLength(10);
    expect(done.text).toContain('href="/channels/x"');
    expect((await c.request('GET', '/api/v4/teams', { useCookies: true })).status).toBe(200);
  });
});
